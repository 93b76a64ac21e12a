// The results: one table (stdout and OUT/results.md), each figure next to its baseline from the
// same run, targets marked PASS/MISS; and gnuplot charts next to it (throughput.png: measured vs
// baseline rates; latency.png: publish-to-callback latency by percentile).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hookbench {

enum class Verdict { kInfo, kPass, kMiss, kError };

struct Row {
  std::string scenario;
  std::string figure;
  std::string measured;
  std::string baseline;
  std::string ratio;
  std::string target;
  Verdict verdict = Verdict::kInfo;
};

class Report {
 public:
  void Add(const Row& row);
  // A rate against its baseline; PASS when measured / baseline >= target_ratio (<= 0: no target).
  void AddRatio(const std::string& scenario, const std::string& figure, double measured,
                double baseline, const std::string& unit, double target_ratio,
                const std::string& baseline_name);
  void AddError(const std::string& scenario, const std::string& what);
  // A bar pair on the throughput chart.
  void AddBar(const std::string& label, double measured, double baseline);
  // Latencies (ns) of one series for the latency chart; returns {p50, p99, p99.9} in ms.
  std::vector<double> AddLatency(const std::string& label, std::vector<std::int64_t> ns);
  void AddNote(const std::string& note) { notes_.push_back(note); }

  std::string Markdown(const std::string& machine, const std::string& command) const;
  // results.md, the .dat files, the gnuplot scripts and the PNGs; "" or what failed.
  std::string Write(const std::string& out_dir, const std::string& machine,
                    const std::string& command) const;
  int misses() const;

 private:
  struct Bar {
    std::string label;
    double measured = 0;
    double baseline = 0;
  };
  struct Series {
    std::string label;
    std::vector<double> sorted_ms;
  };
  std::vector<Row> rows_;
  std::vector<Bar> bars_;
  std::vector<Series> series_;
  std::vector<std::string> notes_;
};

std::string FormatRate(double per_second);  // "12,345/s"
std::string FormatMs(double ms);            // "1.23 ms"
std::string FormatSeconds(double s);        // "1.234 s"
std::string FormatNumber(double n);         // "12,345"

}  // namespace hookbench
