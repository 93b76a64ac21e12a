// BuildStatusBot: the example bot for Mattermost outgoing webhooks. When a post starts with the
// trigger word ("#build"), it answers with the latest build report as a Markdown table, as the
// Mattermost outgoing-webhook document shows; words after the trigger pick components
// ("#build server ios"). The report is a JSON file that CI writes, read on every request:
//
//   {"project": "Project X", "when": "December 12, 2015 - 15:32 GMT +0",
//    "components": [{"name": "Server", "run": 948, "failed": 0},
//                   {"name": "Web Client", "run": 123, "failed": 2, "details": "http://…"}]}
//
// Thread-safety: Handle() may be called from any thread at once. Lifecycle: plain object.
#pragma once

#include <string>
#include <vector>

#include "proto/result.h"
#include "subscribers/callback_request.h"

namespace hookbroker::subscribers {

struct ComponentResult {
  std::string name;
  long long tests_run = 0;
  long long tests_failed = 0;
  std::string details_url;  // may be empty
};

struct BuildReport {
  std::string project;
  std::string when;
  std::vector<ComponentResult> components;
};

// Parses the report file's JSON. Errors name the field ("components[1].run: ...").
Result<BuildReport> ParseBuildReport(std::string_view json_text);

// The Markdown answer: a "Build Break"/"Build OK" heading and one table row per component.
std::string RenderBuildTable(const BuildReport& report);

struct BuildBotOptions {
  std::string token;  // the outgoing webhook's token (required)
  std::string trigger_word = "#build";
  std::string report_file;  // the JSON report (required)
  std::string username = "build-bot";
  std::string response_type = "post";  // or "comment": answer in the post's thread
};

class BuildStatusBot {
 public:
  explicit BuildStatusBot(BuildBotOptions options);

  // 200 {"text": table, ...} for the trigger word; 200 {} (no post) for other posts; 401 for a
  // wrong token; 400 for a request that is not an outgoing webhook; 405 for other methods; 200
  // {"text": why} when the report cannot be read (so the channel sees it).
  CallbackResponse Handle(const CallbackRequest& request) const;

 private:
  const BuildBotOptions options_;
};

}  // namespace hookbroker::subscribers
