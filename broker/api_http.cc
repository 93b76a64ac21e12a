#include "broker/api_http.h"

#include <boost/json.hpp>
#include <charconv>

#include "broker/log.h"
#include "proto/limits.h"

namespace hookbroker::api {

namespace json = boost::json;

void SendJson(httplib::Response& res, int status, const json::value& body) {
  res.status = status;
  res.set_content(json::serialize(body), "application/json");
}

void SendError(httplib::Response& res, int status, const Error& error) {
  json::object e;
  e["code"] = error.code;
  e["message"] = error.message;
  if (!error.field.empty()) e["field"] = error.field;
  SendJson(res, status, json::object{{"error", std::move(e)}});
}

void SendError(httplib::Response& res, int status, std::string code, std::string message,
               std::string field) {
  SendError(res, status, Error{std::move(code), std::move(message), std::move(field)});
}

void SendStoreError(httplib::Response& res, const Error& error) {
  LogError("store", error.message);
  SendError(res, error.code == "storage_full" ? 507 : 500, error.code,
            "storage error: " + error.message);
}

bool SendDeleted(httplib::Response& res, const Result<bool>& deleted, const std::string& id,
                 const Error& missing) {
  if (!deleted) {
    SendStoreError(res, deleted.error());
    return false;
  }
  if (!*deleted) {
    SendError(res, 404, missing);
    return false;
  }
  SendJson(res, 200, json::object{{"id", id}, {"deleted", true}});
  return true;
}

Result<json::value> ParseBody(const std::string& body) {
  json::parse_options opts;
  opts.max_depth = limits::kMaxJsonDepth;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec, {}, opts);
  if (ec) return Error{"invalid_json", "request body is not valid JSON: " + ec.message(), ""};
  return v;
}

Result<std::optional<std::int64_t>> TimeParam(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::optional<std::int64_t>();
  const std::string text = req.get_param_value(name);
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < 0) {
    return Error::Invalid(name, std::string(name) + ": expected a time in epoch milliseconds");
  }
  return std::optional<std::int64_t>(v);
}

Result<std::size_t> LimitParam(const httplib::Request& req, std::size_t fallback) {
  if (!req.has_param("limit")) return fallback;
  const std::string text = req.get_param_value("limit");
  std::size_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < 1 || v > 1000) {
    return Error::Invalid("limit", "limit: expected a whole number from 1 to 1000");
  }
  return v;
}

}  // namespace hookbroker::api
