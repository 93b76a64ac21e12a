#include "subscribers/build_status_bot.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <fstream>
#include <sstream>
#include <utility>

#include "proto/signature.h"
#include "subscribers/outgoing_webhook.h"

namespace hookbroker::subscribers {
namespace {

namespace json = boost::json;

// A table cell: pipes would end the cell and newlines the row.
std::string Cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

CallbackResponse Json(int status, std::string body) {
  return {status, "application/json", std::move(body)};
}

}  // namespace

Result<BuildReport> ParseBuildReport(std::string_view json_text) {
  boost::system::error_code ec;
  json::value root = json::parse(json_text, ec);
  if (ec || !root.is_object()) return Error{"invalid_json", "the report is not a JSON object", ""};
  const json::object& obj = root.get_object();
  BuildReport report;
  if (const json::value* p = obj.if_contains("project"); p && p->is_string()) {
    report.project = std::string(p->get_string());
  }
  if (const json::value* w = obj.if_contains("when"); w && w->is_string()) {
    report.when = std::string(w->get_string());
  }
  const json::value* components = obj.if_contains("components");
  if (components == nullptr || !components->is_array()) {
    return Error::Invalid("components", "components: must be an array");
  }
  for (std::size_t i = 0; i < components->get_array().size(); ++i) {
    const std::string at = "components[" + std::to_string(i) + "]";
    const json::value& c = components->get_array()[i];
    const json::object* o = c.if_object();
    if (o == nullptr || !o->contains("name") || !o->at("name").is_string()) {
      return Error::Invalid(at, at + ": must be an object with a string name");
    }
    ComponentResult r;
    r.name = std::string(o->at("name").get_string());
    for (auto [key, out] : {std::pair{"run", &r.tests_run}, std::pair{"failed", &r.tests_failed}}) {
      const json::value* n = o->if_contains(key);
      if (n == nullptr || !n->is_int64() || n->get_int64() < 0) {
        return Error::Invalid(at + "." + key, at + "." + key + ": must be a whole number >= 0");
      }
      *out = n->get_int64();
    }
    if (const json::value* d = o->if_contains("details"); d && d->is_string()) {
      r.details_url = std::string(d->get_string());
    }
    report.components.push_back(std::move(r));
  }
  return report;
}

std::string RenderBuildTable(const BuildReport& report) {
  bool broken = false;
  for (const ComponentResult& c : report.components) broken = broken || c.tests_failed > 0;
  std::string out = "---\n##### ";
  out += broken ? "Build Break" : "Build OK";
  if (!report.project.empty()) out += " - " + Cell(report.project);
  if (!report.when.empty()) out += " - " + Cell(report.when);
  out +=
      "\n| Component | Tests Run | Tests Failed |\n"
      "|:----------|:----------|:-------------|\n";
  for (const ComponentResult& c : report.components) {
    std::string failed;
    if (c.tests_failed == 0) {
      failed = ":white_check_mark: 0";
    } else if (c.details_url.empty()) {
      failed = ":warning: " + std::to_string(c.tests_failed);
    } else {
      failed = ":warning: [" + std::to_string(c.tests_failed) + " (see details)](" +
               Cell(c.details_url) + ")";
    }
    out += "| " + Cell(c.name) + " | " + std::to_string(c.tests_run) + " | " + failed + " |\n";
  }
  out += "---\n";
  return out;
}

BuildStatusBot::BuildStatusBot(BuildBotOptions options) : options_(std::move(options)) {}

CallbackResponse BuildStatusBot::Handle(const CallbackRequest& request) const {
  if (request.method != "POST") {
    return Json(405, R"({"error":"method_not_allowed","message":"outgoing webhooks POST"})");
  }
  Result<OutgoingWebhookRequest> hook = ParseOutgoingWebhook(request);
  if (!hook) {
    return Json(400, json::serialize(json::object{{"error", hook.error().code},
                                                  {"message", hook.error().message}}));
  }
  if (!ConstantTimeEquals(hook->token, options_.token)) {
    return Json(401, R"({"error":"invalid_token","message":"the token does not match"})");
  }
  const std::vector<std::string> words = Words(hook->text);
  if (words.empty() || words.front() != options_.trigger_word) return Json(200, "{}");

  std::ifstream in(options_.report_file);
  std::stringstream text;
  text << in.rdbuf();
  Result<BuildReport> report =
      in ? ParseBuildReport(text.str()) : Result<BuildReport>(Error{"no_report", "no report", ""});
  OutgoingWebhookReply reply;
  reply.username = options_.username;
  reply.response_type = options_.response_type;
  if (!report) {
    // Answered 200 so the chat shows why: Mattermost posts nothing for an error status.
    reply.text = "The build report cannot be read: " + report.error().message;
    return Json(200, OutgoingWebhookReplyJson(reply));
  }
  // "#build server ios": only the named components (case-insensitive); words that name none
  // ("#build let's see") leave the whole table.
  {
    std::vector<ComponentResult> picked;
    for (const ComponentResult& c : report->components) {
      const std::vector<std::string> name_words = Words(Lower(c.name));
      for (std::size_t i = 1; i < words.size(); ++i) {
        if (std::find(name_words.begin(), name_words.end(), Lower(words[i])) != name_words.end()) {
          picked.push_back(c);
          break;
        }
      }
    }
    if (!picked.empty()) report->components = std::move(picked);
  }
  reply.text = RenderBuildTable(*report);
  return Json(200, OutgoingWebhookReplyJson(reply));
}

}  // namespace hookbroker::subscribers
