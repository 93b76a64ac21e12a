// Helpers shared by the REST handlers: JSON replies, JSON errors, query parameters. Internal to
// the broker; includes httplib.h, so only the API's .cc files include it.
#pragma once

#include <httplib.h>

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "proto/result.h"

namespace hookbroker::api {

void SendJson(httplib::Response& res, int status, const boost::json::value& body);
// {"error":{"code","message","field"}}
void SendError(httplib::Response& res, int status, const Error& error);
void SendError(httplib::Response& res, int status, std::string code, std::string message,
               std::string field = "");
// 500 (507 when full) for trouble in the store; logged.
void SendStoreError(httplib::Response& res, const Error& error);

// A GET of one record: 200 with to_json(record), 404 with `missing`, or the store's error.
template <typename T, typename ToJson>
void SendFound(httplib::Response& res, const Result<std::optional<T>>& found, const Error& missing,
               ToJson to_json) {
  if (!found) return SendStoreError(res, found.error());
  if (!*found) return SendError(res, 404, missing);
  SendJson(res, 200, to_json(**found));
}

// A DELETE of one record: 200 {"id","deleted":true}, 404 with `missing`, or the store's error.
// True when it was deleted.
bool SendDeleted(httplib::Response& res, const Result<bool>& deleted, const std::string& id,
                 const Error& missing);

// The body as JSON (nesting limited); Error "invalid_json".
Result<boost::json::value> ParseBody(const std::string& body);

// Query parameters: absent → nullopt; malformed → Error naming the parameter.
Result<std::optional<std::int64_t>> TimeParam(const httplib::Request& req, const char* name);
Result<std::size_t> LimitParam(const httplib::Request& req, std::size_t fallback = 100);

}  // namespace hookbroker::api
