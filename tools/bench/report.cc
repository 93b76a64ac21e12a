#include "tools/bench/report.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "tools/bench/child_process.h"

namespace hookbench {
namespace {

const char* VerdictText(Verdict v) {
  switch (v) {
    case Verdict::kPass:
      return "PASS";
    case Verdict::kMiss:
      return "MISS";
    case Verdict::kError:
      return "ERROR";
    case Verdict::kInfo:
      break;
  }
  return "";
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const std::size_t index = std::min(
      sorted.size() - 1, static_cast<std::size_t>(std::ceil(p * sorted.size())) - (p > 0 ? 1 : 0));
  return sorted[index];
}

std::string GnuplotThroughput() {
  return R"(set terminal pngcairo size 1100,520 font ",10"
set output 'throughput.png'
set title 'hookbroker vs baseline (same run, same machine)'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [10:*]
set ylabel 'per second (log scale)'
set grid ytics
set xtics rotate by -25 scale 0
set key top right
plot 'throughput.dat' using 2:xtic(1) title 'hookbroker' lc rgb '#1f77b4', \
     '' using 3 title 'baseline' lc rgb '#aaaaaa'
)";
}

std::string GnuplotLatency(const std::vector<std::string>& labels) {
  std::string s = R"(set terminal pngcairo size 900,520 font ",10"
set output 'latency.png'
set title 'publish-to-callback latency by percentile'
set logscale x
set logscale y
set xrange [1:*]
set xtics ("0%%" 1, "50%%" 2, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000)
set xlabel 'percentile'
set ylabel 'latency (ms, log scale)'
set grid
set key bottom right box opaque
set arrow from graph 0, first 5 to graph 1, first 5 nohead dashtype 2 lc rgb '#d62728'
set label 'target p99 ≤ 5 ms' at graph 0.02, first 5 offset 0,0.7 tc rgb '#d62728'
plot )";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) s += ", \\\n     ";
    s += "'latency-" + std::to_string(i) + ".dat' using 1:2 with lines lw 2 title '" + labels[i] +
         "'";
  }
  return s + "\n";
}

}  // namespace

std::string FormatNumber(double n) {
  std::string digits = Fixed(n, 0);
  std::string out;
  const std::size_t start = digits[0] == '-' ? 1 : 0;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    out += digits[i];
    const std::size_t left = digits.size() - 1 - i;
    if (i >= start && left > 0 && left % 3 == 0) out += ',';
  }
  return out;
}
std::string FormatRate(double per_second) { return FormatNumber(per_second) + "/s"; }
std::string FormatMs(double ms) { return Fixed(ms, ms < 10 ? 2 : 1) + " ms"; }
std::string FormatSeconds(double s) { return Fixed(s, 3) + " s"; }

void Report::Add(const Row& row) {
  rows_.push_back(row);
  std::printf("  %-26s %-52s %16s  %16s  %7s  %-8s %s\n", row.scenario.c_str(), row.figure.c_str(),
              row.measured.c_str(), row.baseline.c_str(), row.ratio.c_str(), row.target.c_str(),
              VerdictText(row.verdict));
  std::fflush(stdout);
}

void Report::AddRatio(const std::string& scenario, const std::string& figure, double measured,
                      double baseline, const std::string& unit, double target_ratio,
                      const std::string& baseline_name) {
  Row row;
  row.scenario = scenario;
  row.figure = figure;
  row.measured = FormatNumber(measured) + unit;
  row.baseline = FormatNumber(baseline) + unit + " " + baseline_name;
  const double ratio = baseline > 0 ? measured / baseline : 0;
  row.ratio = Fixed(ratio, 2);
  // Two decimals can round a miss up to the target ("0.90 MISS" for 0.896): show three, rounded
  // down, so that the figure shown is below the target too.
  if (target_ratio > 0 && ratio < target_ratio && row.ratio == Fixed(target_ratio, 2)) {
    row.ratio = Fixed(std::floor(ratio * 1000) / 1000, 3);
  }
  if (target_ratio > 0) {
    row.target = "≥ " + Fixed(target_ratio, 1);
    row.verdict = ratio >= target_ratio ? Verdict::kPass : Verdict::kMiss;
  }
  Add(row);
}

void Report::AddError(const std::string& scenario, const std::string& what) {
  Row row;
  row.scenario = scenario;
  row.figure = what;
  row.verdict = Verdict::kError;
  Add(row);
}

void Report::AddBar(const std::string& label, double measured, double baseline) {
  Bar bar;
  bar.label = label;
  bar.measured = measured;
  bar.baseline = baseline;
  bars_.push_back(bar);
}

std::vector<double> Report::AddLatency(const std::string& label, std::vector<std::int64_t> ns) {
  Series series;
  series.label = label;
  series.sorted_ms.reserve(ns.size());
  for (std::int64_t v : ns) series.sorted_ms.push_back(static_cast<double>(v) / 1e6);
  std::sort(series.sorted_ms.begin(), series.sorted_ms.end());
  std::vector<double> p = {Percentile(series.sorted_ms, 0.5), Percentile(series.sorted_ms, 0.99),
                           Percentile(series.sorted_ms, 0.999)};
  series_.push_back(std::move(series));
  return p;
}

int Report::misses() const {
  return static_cast<int>(std::count_if(rows_.begin(), rows_.end(), [](const Row& r) {
    return r.verdict == Verdict::kMiss || r.verdict == Verdict::kError;
  }));
}

std::string Report::Markdown(const std::string& machine, const std::string& command) const {
  std::ostringstream md;
  md << "# hookbench results\n\n" << machine << "\n\nCommand: `" << command << "`\n\n";
  md << "| scenario | figure | measured | baseline (same run) | ratio | target | result |\n";
  md << "| --- | --- | ---: | ---: | ---: | --- | --- |\n";
  for (const Row& r : rows_) {
    md << "| " << r.scenario << " | " << r.figure << " | " << r.measured << " | " << r.baseline
       << " | " << r.ratio << " | " << r.target << " | " << VerdictText(r.verdict) << " |\n";
  }
  if (!notes_.empty()) {
    md << "\n";
    for (const auto& n : notes_) md << "- " << n << "\n";
  }
  if (!bars_.empty()) md << "\n![throughput](throughput.png)\n";
  if (!series_.empty()) md << "\n![latency](latency.png)\n";
  return md.str();
}

std::string Report::Write(const std::string& out_dir, const std::string& machine,
                          const std::string& command) const {
  {
    std::ofstream md(out_dir + "/results.md");
    md << Markdown(machine, command);
    if (!md) return "cannot write " + out_dir + "/results.md";
  }
  std::string problems;
  if (!bars_.empty()) {
    std::ofstream dat(out_dir + "/throughput.dat");
    for (const Bar& b : bars_) {
      dat << '"' << b.label << "\" " << Fixed(b.measured, 1) << " " << Fixed(b.baseline, 1) << "\n";
    }
    std::ofstream(out_dir + "/throughput.gp") << GnuplotThroughput();
  }
  std::vector<std::string> labels;
  for (std::size_t i = 0; i < series_.size(); ++i) {
    labels.push_back(series_[i].label);
    std::ofstream dat(out_dir + "/latency-" + std::to_string(i) + ".dat");
    const auto& v = series_[i].sorted_ms;
    for (std::size_t k = 0; k < v.size(); ++k) {
      const double p = (static_cast<double>(k) + 0.5) / static_cast<double>(v.size());
      dat << Fixed(1.0 / (1.0 - p), 4) << " " << Fixed(v[k], 4) << "\n";
    }
  }
  if (!series_.empty()) std::ofstream(out_dir + "/latency.gp") << GnuplotLatency(labels);
  for (const char* gp : {"throughput.gp", "latency.gp"}) {
    if ((std::string(gp) == "throughput.gp" && bars_.empty()) ||
        (std::string(gp) == "latency.gp" && series_.empty())) {
      continue;
    }
    CommandResult r =
        RunCommand({"sh", "-c", "cd '" + out_dir + "' && gnuplot " + gp}, std::chrono::seconds(60));
    if (r.exit_code != 0) problems += std::string("gnuplot ") + gp + ": " + r.output + "\n";
  }
  return problems;
}

}  // namespace hookbench
