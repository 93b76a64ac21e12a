// hookctl export: the attempt log as JSON lines, streamed to a file or stdout
// (docs/API.md: GET /v1/audit/export).
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "tools/hookctl/command.h"
#include "tools/hookctl/command_support.h"
#include "tools/hookctl/exit_code.h"
#include "tools/hookctl/report.h"
#include "tools/hookctl/url_encode.h"

namespace hookctl {
namespace {

constexpr std::string_view kCmd = "export";

constexpr std::string_view kHelp =
    R"HELP(Usage: hookctl export [--since TIME] [--until TIME] [-o FILE]

Streams the attempt log (GET /v1/audit/export) as JSON lines, oldest first: one attempt per line
with its URL and request headers (secrets masked), for compliance archives.

Options:
  --since TIME       only attempts recorded at or after TIME
  --until TIME       only attempts recorded at or before TIME
  -o, --output FILE  write to FILE instead of standard output. FILE appears only once the export
                     is complete (it is written as FILE.partial first), so a broken-off export
                     never looks like a whole one.
  and the global options (hookctl --help); --timeout bounds the wait between chunks.

TIME is epoch milliseconds, RFC 3339 UTC (2026-11-24T02:00:00Z), or an age meaning that long ago
(30m, 2h, 1d).
When stderr is a terminal (and the export does not go to that same terminal), a progress line
there counts the lines and bytes so far.
Exit codes: 0 exported; 1 the broker refused the request, or FILE could not be written; 2 bad
usage; 3 broker unreachable, or the stream broke off; 4 API key refused.
)HELP";

std::string Bytes(std::uint64_t n) {
  char buf[32];
  if (n < 1024) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
  } else if (n < 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(n) / 1024);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / (1024 * 1024));
  }
  return buf;
}

// Redrawn in place with '\r' at most a few times a second, so that it costs nothing next to the
// transfer.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled) {}

  void Update(std::uint64_t lines, std::uint64_t bytes, bool final = false) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (!final && now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    std::fprintf(stderr, "\rexported %llu %s, %s%s", static_cast<unsigned long long>(lines),
                 lines == 1 ? "line" : "lines", Bytes(bytes).c_str(), final ? "\n" : "   ");
    std::fflush(stderr);
  }
  // Ends the progress line so that an error message starts on a line of its own.
  void Break() {
    if (enabled_ && last_ != std::chrono::steady_clock::time_point{}) std::fputc('\n', stderr);
  }

 private:
  bool enabled_;
  std::chrono::steady_clock::time_point last_{};
};

int Export(const Invocation& inv) {
  if (!inv.args.positionals().empty()) {
    return UsageError(kCmd, "unexpected argument '" + inv.args.positionals()[0] +
                                "' (write to a file with -o FILE)");
  }
  bool failed = false;
  const auto since = TimeOption(inv, kCmd, "--since", failed);
  const auto until = failed ? std::nullopt : TimeOption(inv, kCmd, "--until", failed);
  if (failed) return kExitUsage;
  std::vector<std::pair<std::string, std::string>> params;
  if (since) params.emplace_back("since", std::to_string(*since));
  if (until) params.emplace_back("until", std::to_string(*until));
  const std::optional<std::string> file = inv.args.Value("--output");
  if (file && (file->empty() || *file == "-")) {
    return UsageError(kCmd, "-o: give a file name (standard output is the default)");
  }

  int rc = kExitOk;
  auto api = Connect(inv, rc);
  if (!api) return rc;

  const std::string partial = file ? *file + ".partial" : "";
  std::FILE* out = stdout;
  if (file) {
    out = std::fopen(partial.c_str(), "wb");
    if (out == nullptr) {
      return Fail(kExitFailed, "cannot write " + partial + ": " + std::strerror(errno));
    }
  }
  const bool to_terminal = !file && isatty(STDOUT_FILENO);
  Progress progress(isatty(STDERR_FILENO) && !to_terminal);
  std::uint64_t lines = 0, bytes = 0;
  std::string write_error;
  ApiReply reply = api->Stream("/v1/audit/export" + QueryString(params), [&](std::string_view c) {
    if (std::fwrite(c.data(), 1, c.size(), out) != c.size()) {
      write_error = std::strerror(errno);
      return false;
    }
    bytes += c.size();
    for (const char ch : c) lines += ch == '\n';
    progress.Update(lines, bytes);
    return true;
  });
  if (std::fflush(out) != 0 && write_error.empty()) write_error = std::strerror(errno);
  if (file && std::fclose(out) != 0 && write_error.empty()) write_error = std::strerror(errno);

  auto discard = [&] {
    if (file) std::remove(partial.c_str());
  };
  if (!write_error.empty()) {
    progress.Break();
    discard();
    return Fail(kExitFailed, "cannot write " + (file ? partial : std::string("standard output")) +
                                 ": " + write_error);
  }
  if (reply.status == 0 && bytes > 0) {
    progress.Break();
    discard();
    return Fail(kExitUnreachable, "the export broke off after " + std::to_string(lines) +
                                      " lines (" + reply.transport_error + ")" +
                                      (file ? "; " + *file + " was not written" : ""));
  }
  if (reply.status != 200) {
    progress.Break();
    discard();
    return ReportApiFailure(reply, inv.settings);
  }
  if (file && std::rename(partial.c_str(), file->c_str()) != 0) {
    const std::string why = std::strerror(errno);
    discard();
    return Fail(kExitFailed, "cannot rename " + partial + " to " + *file + ": " + why);
  }
  progress.Update(lines, bytes, true);
  return kExitOk;
}

}  // namespace

std::vector<Command> ExportCommands() {
  return {{{"export"},
           "stream the attempt log as JSON lines (for archives)",
           kHelp,
           {{"--since", true}, {"--until", true}, {"--output", true, "-o"}},
           Export}};
}

}  // namespace hookctl
