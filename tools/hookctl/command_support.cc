#include "tools/hookctl/command_support.h"

#include <cstdio>

#include "tools/hookctl/exit_code.h"
#include "tools/hookctl/printable.h"
#include "tools/hookctl/report.h"
#include "tools/hookctl/time_text.h"
#include "tools/hookctl/url_encode.h"

namespace hookctl {

namespace json = boost::json;

std::unique_ptr<ApiClient> Connect(const Invocation& inv, int& exit_code) {
  auto client = ApiClient::Create(inv.settings);
  if (!client) {
    exit_code = Fail(kExitUsage, client.error().message);
    return nullptr;
  }
  return std::move(*client);
}

int CallJson(const Invocation& inv, ApiClient& api, std::string_view method,
             const std::string& path, const std::string& body, json::value& out, std::string* raw) {
  ApiReply reply = api.Call(method, path, body);
  if (reply.status < 200 || reply.status > 299) return ReportApiFailure(reply, inv.settings);
  boost::system::error_code ec;
  out = json::parse(reply.body, ec);
  if (ec || !out.is_object()) {
    return Fail(kExitFailed, "the broker's reply to " + std::string(method) + " " + path +
                                 " is not a JSON object: " + reply.body.substr(0, 200));
  }
  if (raw != nullptr) *raw = std::move(reply.body);
  return kExitOk;
}

void PrintRaw(std::string_view body) {
  std::fwrite(body.data(), 1, body.size(), stdout);
  if (body.empty() || body.back() != '\n') std::fputc('\n', stdout);
}

int UsageError(std::string_view command, std::string_view message) {
  return Fail(kExitUsage,
              std::string(message) + " (see hookctl " + std::string(command) + " --help)");
}

std::optional<std::string> OnePositional(const Invocation& inv, std::string_view command,
                                         std::string_view name) {
  const auto& p = inv.args.positionals();
  if (p.size() == 1 && !p[0].empty()) return p[0];
  if (p.empty()) {
    UsageError(command, std::string(name) + " is required");
  } else if (p.size() > 1) {
    UsageError(command, "expected one " + std::string(name) + ", got " + std::to_string(p.size()) +
                            " arguments");
  } else {
    UsageError(command, std::string(name) + " must not be empty");
  }
  return std::nullopt;
}

std::optional<std::int64_t> IntOption(const Invocation& inv, std::string_view command,
                                      std::string_view name, std::int64_t min, std::int64_t max,
                                      bool& failed) {
  auto text = inv.args.Value(name);
  if (!text) return std::nullopt;
  char* end = nullptr;
  const long long v = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || end != text->c_str() + text->size() || v < min || v > max) {
    failed = true;
    UsageError(command, std::string(name) + ": expected a whole number from " +
                            std::to_string(min) + " to " + std::to_string(max) + ", got '" + *text +
                            "'");
    return std::nullopt;
  }
  return v;
}

std::optional<std::int64_t> TimeOption(const Invocation& inv, std::string_view command,
                                       std::string_view name, bool& failed) {
  auto text = inv.args.Value(name);
  if (!text) return std::nullopt;
  auto ms = ParseTime(*text, NowMs());
  if (!ms) {
    failed = true;
    UsageError(command, std::string(name) + ": " + ms.error().message);
    return std::nullopt;
  }
  return *ms;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    if (!item.empty()) out.push_back(std::move(item));
    start = end + 1;
  }
  return out;
}

std::string FieldText(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return "-";
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_bool()) return v->as_bool() ? "yes" : "no";
  return json::serialize(*v);
}

std::string FieldTime(const json::object& o, std::string_view key, bool with_millis) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_number()) return "-";
  boost::system::error_code ec;
  const auto ms = v->to_number<std::int64_t>(ec);
  if (ec) return json::serialize(*v);
  return FormatUtc(ms, with_millis);
}

std::string FieldList(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_array()) return FieldText(o, key);
  std::string out;
  for (const json::value& item : v->as_array()) {
    if (!out.empty()) out += ",";
    out += item.is_string() ? std::string(item.as_string()) : json::serialize(item);
  }
  return out;
}

const json::object& FieldObject(const json::object& o, std::string_view key) {
  static const json::object kEmpty;
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? v->as_object() : kEmpty;
}

const json::array& FieldArray(const json::object& o, std::string_view key) {
  static const json::array kEmpty;
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_array() ? v->as_array() : kEmpty;
}

int CallAndPrint(const Invocation& inv, std::string_view method, const std::string& path,
                 const std::string& body,
                 const std::function<void(const boost::json::object&)>& print) {
  int rc = kExitOk;
  auto api = Connect(inv, rc);
  if (!api) return rc;
  boost::json::value reply;
  std::string raw;
  rc = CallJson(inv, *api, method, path, body, reply, &raw);
  if (rc != kExitOk) return rc;
  if (inv.settings.json) {
    PrintRaw(raw);
  } else {
    print(reply.as_object());
  }
  return kExitOk;
}

int ListPages(const Invocation& inv, ApiClient& api, const std::string& path,
              const std::vector<std::pair<std::string, std::string>>& params, std::string cursor,
              bool all, const std::string& key, Table& table,
              const std::function<void(Table&, const boost::json::object&)>& add_row) {
  namespace json = boost::json;
  json::array every;  // for --all --json
  std::string next;
  do {
    auto page_params = params;
    if (!cursor.empty()) page_params.emplace_back("cursor", cursor);
    json::value reply;
    std::string raw;
    const int rc = CallJson(inv, api, "GET", path + QueryString(page_params), "", reply, &raw);
    if (rc != kExitOk) return rc;
    const json::object& page = reply.as_object();
    next = page.contains("nextCursor") ? FieldText(page, "nextCursor") : "";
    if (inv.settings.json && !all) {
      PrintRaw(raw);
      return kExitOk;
    }
    for (const json::value& item : FieldArray(page, key)) {
      if (!item.is_object()) continue;
      if (inv.settings.json) {
        every.push_back(item);
      } else {
        add_row(table, item.as_object());
      }
    }
    // The same cursor twice would loop forever against a misbehaving broker.
    if (next == cursor) break;
    cursor = next;
  } while (all && !next.empty());

  if (inv.settings.json) {
    PrintRaw(json::serialize(json::object{{key, std::move(every)}}));
    return kExitOk;
  }
  table.Print(stdout);
  if (!all && !next.empty()) {
    std::fflush(stdout);
    std::fprintf(stderr, "(more %s: add --all, or --cursor %s for the next page)\n", key.c_str(),
                 Printable(next).c_str());
  }
  return kExitOk;
}

}  // namespace hookctl
