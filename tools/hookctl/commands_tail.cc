// hookctl tail [--follow]: the attempt log (docs/API.md: GET /v1/attempts), one line per
// attempt, optionally following new attempts by long polling until interrupted.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tools/hookctl/command.h"
#include "tools/hookctl/command_support.h"
#include "tools/hookctl/exit_code.h"
#include "tools/hookctl/printable.h"
#include "tools/hookctl/report.h"
#include "tools/hookctl/time_text.h"
#include "tools/hookctl/url_encode.h"

namespace hookctl {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::string_view kCmd = "tail";
constexpr int kPageSize = 1000;
// docs/API.md allows up to 30 s; 25 s stays under common proxy idle timeouts.
constexpr int kWaitSeconds = 25;

constexpr std::string_view kHelp =
    R"HELP(Usage: hookctl tail [--follow] [--webhook ID] [--since TIME] [--until TIME]

Prints delivery attempts from the broker's attempt log (GET /v1/attempts) in the order they were
recorded, one line each:
  TIME delivery=ID webhook=ID event=ID attempt=N OUTCOME http=STATUS duration=MSms [error="..."]
TIME is when the attempt started (RFC 3339 UTC). OUTCOME is delivered, http_error,
connect_error, timeout, tls_error, forbidden or cancelled.

Options:
  --follow       after the attempts so far, keep waiting for new ones (long polling, 25 s per
                 request) until interrupted; Ctrl-C (SIGINT) ends it with exit code 0
  --webhook ID   only this webhook's attempts
  --since TIME   start with the attempts recorded at or after TIME (default: 1h, an hour ago)
  --until TIME   stop at the attempts recorded at or before TIME (not with --follow)
  and the global options (hookctl --help).

TIME is epoch milliseconds, RFC 3339 UTC (2026-11-24T02:00:00Z), or an age meaning that long ago
(30m, 2h, 1d).
With --json: each attempt as the broker sent it, one JSON object per line.
Exit codes: 0 done (or interrupted while following); 1 the broker refused the request; 2 bad
usage; 3 broker unreachable or it stopped answering; 4 API key refused.
)HELP";

// Serializes output between the polling thread and the SIGINT waiter, so that an interrupt
// never cuts a line in half.
std::mutex g_output_mutex;

void PrintAttempt(const json::object& a, bool as_json) {
  if (as_json) {
    PrintRaw(json::serialize(a));
    return;
  }
  const std::string time =
      a.contains("startedAt") ? FieldTime(a, "startedAt", true) : FieldTime(a, "recordedAt", true);
  std::string line = time + " delivery=" + FieldText(a, "deliveryId") +
                     " webhook=" + FieldText(a, "webhookId") + " event=" + FieldText(a, "eventId") +
                     " attempt=" + FieldText(a, "attempt") + " " + FieldText(a, "outcome") +
                     " http=" + FieldText(a, "httpStatus") +
                     " duration=" + FieldText(a, "durationMs") + "ms";
  if (a.contains("error")) line += " error=\"" + FieldText(a, "error") + "\"";
  std::printf("%s\n", Printable(line).c_str());
}

struct Tail {
  const Invocation& inv;
  ApiClient& api;
  std::vector<std::pair<std::string, std::string>> filters;  // webhookId, until
  std::optional<std::int64_t> since;
  std::string cursor;  // from the last reply; replaces `since` once known

  // One request; prints what it brings. `count` receives how many attempts came.
  int Page(bool wait, std::size_t& count) {
    auto params = filters;
    if (!cursor.empty()) {
      params.emplace_back("cursor", cursor);
    } else if (since) {
      params.emplace_back("since", std::to_string(*since));
    }
    params.emplace_back("limit", std::to_string(kPageSize));
    if (wait) params.emplace_back("wait", std::to_string(kWaitSeconds));
    const std::string path = "/v1/attempts" + QueryString(params);
    ApiReply reply = api.Call("GET", path, "", wait ? std::chrono::seconds(kWaitSeconds) : 0s);
    if (reply.status != 200) return ReportApiFailure(reply, inv.settings);
    boost::system::error_code ec;
    json::value v = json::parse(reply.body, ec);
    if (ec || !v.is_object()) {
      return Fail(kExitFailed, "the broker's reply to GET /v1/attempts is not a JSON object");
    }
    const json::object& page = v.as_object();
    const json::array& attempts = FieldArray(page, "attempts");
    count = attempts.size();
    {
      std::lock_guard<std::mutex> lock(g_output_mutex);
      for (const json::value& a : attempts) {
        if (a.is_object()) PrintAttempt(a.as_object(), inv.settings.json);
      }
      std::fflush(stdout);  // `tail -f | grep` must see lines as they come
    }
    if (const json::value* c = page.if_contains("cursor"); c != nullptr && c->is_string()) {
      cursor = std::string(c->as_string());
    }
    return kExitOk;
  }

  // Pages until the log is exhausted (a short page).
  int CatchUp() {
    for (;;) {
      std::size_t count = 0;
      const int rc = Page(false, count);
      if (rc != kExitOk) return rc;
      if (count < static_cast<std::size_t>(kPageSize)) return kExitOk;
    }
  }

  int Follow(const std::atomic<bool>& stop) {
    const int rc = CatchUp();
    if (rc != kExitOk) return rc;
    while (!stop.load()) {
      const auto start = std::chrono::steady_clock::now();
      std::size_t count = 0;
      const int page_rc = Page(true, count);
      if (page_rc != kExitOk) return page_rc;
      // A broker that does not hold the request (no `wait` support) would make this a busy
      // loop; an empty answer that came back at once waits a little before asking again.
      if (count == 0 && std::chrono::steady_clock::now() - start < 1s) {
        std::this_thread::sleep_for(1s);
      }
    }
    return kExitOk;
  }
};

// Runs Follow() on a thread while this one waits for SIGINT: a blocking HTTP read cannot be
// interrupted cleanly from a signal handler, but a thread that sigwait()s can flush what was
// printed and end the process with 0.
int FollowUntilInterrupted(Tail& tail) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // the worker inherits the mask

  std::atomic<bool> stop{false};
  std::atomic<bool> done{false};
  int result = kExitOk;
  std::thread worker([&] {
    result = tail.Follow(stop);
    done.store(true);
  });
  const timespec poll_interval{0, 200'000'000};
  while (!done.load()) {
    if (sigtimedwait(&signals, nullptr, &poll_interval) == SIGINT) {
      stop.store(true);
      std::lock_guard<std::mutex> lock(g_output_mutex);
      std::fflush(stdout);
      // The worker may be inside a 25 s long poll; there is nothing left to save, so the
      // process ends here instead of joining it.
      _exit(kExitOk);
    }
  }
  worker.join();
  return result;
}

int Run(const Invocation& inv) {
  if (!inv.args.positionals().empty()) {
    return UsageError(kCmd, "unexpected argument '" + inv.args.positionals()[0] + "'");
  }
  const bool follow = inv.args.Has("--follow");
  bool failed = false;
  auto since = TimeOption(inv, kCmd, "--since", failed);
  const auto until = failed ? std::nullopt : TimeOption(inv, kCmd, "--until", failed);
  if (failed) return kExitUsage;
  if (follow && until) return UsageError(kCmd, "--until and --follow contradict each other");
  if (!since) since = NowMs() - 3'600'000;

  int rc = kExitOk;
  auto api = Connect(inv, rc);
  if (!api) return rc;
  Tail tail{inv, *api, {}, since, ""};
  if (auto v = inv.args.Value("--webhook")) tail.filters.emplace_back("webhookId", *v);
  if (until) tail.filters.emplace_back("until", std::to_string(*until));
  return follow ? FollowUntilInterrupted(tail) : tail.CatchUp();
}

}  // namespace

std::vector<Command> TailCommands() {
  return {{{"tail"},
           "print delivery attempts as they are recorded (--follow)",
           kHelp,
           {{"--follow", false, "-f"}, {"--webhook", true}, {"--since", true}, {"--until", true}},
           Run}};
}

}  // namespace hookctl
