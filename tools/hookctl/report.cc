#include "tools/hookctl/report.h"

#include <boost/json.hpp>
#include <cstdio>
#include <string>

#include "tools/hookctl/exit_code.h"
#include "tools/hookctl/printable.h"

namespace hookctl {
namespace {

namespace json = boost::json;

struct BrokerError {
  std::string code;
  std::string message;
  std::string field;
};

// The broker's {"error":{"code","message","field"}}; for a body in another form (a proxy's HTML
// page), its start, so that the operator still sees something.
BrokerError ParseBrokerError(const std::string& body) {
  BrokerError e;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    const json::value* err = v.as_object().if_contains("error");
    if (err != nullptr && err->is_object()) {
      const auto& o = err->as_object();
      auto text = [&](const char* key) {
        const json::value* f = o.if_contains(key);
        return f != nullptr && f->is_string() ? std::string(f->as_string()) : std::string();
      };
      e.code = text("code");
      e.message = text("message");
      e.field = text("field");
      return e;
    }
    if (err != nullptr && err->is_string()) {
      e.message = std::string(err->as_string());
      return e;
    }
  }
  e.message = body.substr(0, 200);
  return e;
}

}  // namespace

int Fail(int exit_code, std::string_view message) {
  std::fflush(stdout);  // what was printed before the failure comes first on a shared terminal
  std::fprintf(stderr, "hookctl: %s\n", Printable(message).c_str());
  return exit_code;
}

int ReportApiFailure(const ApiReply& reply, const Settings& settings) {
  if (reply.status == 0) {
    return Fail(kExitUnreachable, "cannot reach the broker at " + settings.broker_url + " (" +
                                      reply.transport_error + ")");
  }
  const BrokerError e = ParseBrokerError(reply.body);
  if (reply.status == 401) {
    if (settings.api_key.empty()) {
      return Fail(kExitUnauthorized,
                  "the broker wants an API key (401); set --api-key or HOOKBROKER_API_KEY");
    }
    return Fail(kExitUnauthorized,
                "the broker refused the API key (401); set --api-key or HOOKBROKER_API_KEY "
                "(the key sent came from " +
                    settings.api_key_source + ")");
  }
  if (reply.status == 403) {
    return Fail(kExitForbidden, "the broker refused (403): " +
                                    (e.message.empty() ? std::string("forbidden") : e.message));
  }
  if (reply.status == 404) {
    // The broker's generic 404 for a path it has no handler for: most likely a broker older
    // than this hookctl, which is worth saying rather than "no such route".
    if (e.message == "no such route") {
      return Fail(kExitNotFound, "not found: the broker at " + settings.broker_url +
                                     " has no route for " + reply.method + " " + reply.path +
                                     " (is it older than this hookctl?)");
    }
    return Fail(kExitNotFound, "not found: " + (e.message.empty() ? reply.path : e.message));
  }
  if (reply.status == 400) {
    std::string line = "the broker rejected the request: " + e.message;
    if (!e.field.empty()) line += " (field: " + e.field + ")";
    return Fail(kExitFailed, line);
  }
  std::string line = "the broker answered HTTP " + std::to_string(reply.status);
  if (!e.code.empty()) line += " (" + e.code + ")";
  if (!e.message.empty()) line += ": " + e.message;
  return Fail(kExitFailed, line);
}

}  // namespace hookctl
