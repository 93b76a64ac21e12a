// The REST API's key management: /v1/keys (docs/API.md). Admin keys only (api_access.h).
#include <boost/json.hpp>

#include "broker/api_http.h"
#include "broker/api_server.h"
#include "broker/log.h"

namespace hookbroker {
namespace {

namespace json = boost::json;
using api::SendError;
using api::SendJson;
using api::SendStoreError;

// Never the key, never its hash: the record is enough to recognise and revoke a key.
json::object KeyJson(const ApiKeyRecord& k) {
  json::object o;
  o["id"] = k.id.value();
  o["kind"] = ToString(k.kind);
  o["label"] = k.label;
  o["createdAt"] = k.created_ms;
  o["revokedAt"] = k.revoked_ms == 0 ? json::value(nullptr) : json::value(k.revoked_ms);
  return o;
}

Error NoSuchKey() { return Error{"not_found", "no API key with this id", "keyId"}; }

}  // namespace

void ApiServer::KeyRoutes() {
  httplib::Server& s = *server_;

  s.Post("/v1/keys", [this](const httplib::Request& req, httplib::Response& res) {
    auto body = api::ParseBody(req.body);
    if (!body) return SendError(res, 400, body.error());
    const json::object* obj = body->if_object();
    if (obj == nullptr) {
      return SendError(res, 400, Error{"invalid_json", "request body must be a JSON object", ""});
    }
    std::optional<ApiKeyKind> kind;
    std::string label;
    for (const auto& [name, value] : *obj) {
      if (name == "kind") {
        if (value.is_string()) kind = ParseApiKeyKind(value.get_string());
        if (!kind) {
          return SendError(res, 400, Error::Invalid("kind", "kind: expected admin or read-only"));
        }
      } else if (name == "label") {
        if (!value.is_string()) {
          return SendError(res, 400, Error::Invalid("label", "label: expected a string"));
        }
        label = std::string(value.get_string());
      } else {
        return SendError(res, 400,
                         Error::Invalid(std::string(name), std::string(name) + ": unknown field"));
      }
    }
    if (!kind) return SendError(res, 400, Error::Missing("kind"));
    auto created = keys_.Create(*kind, std::move(label), clock_.NowMs());
    if (!created) {
      if (created.error().code == "invalid_field") return SendError(res, 400, created.error());
      return SendStoreError(res, created.error());
    }
    LogInfo("api", "API key " + created->record.id.value() + " (" +
                       std::string(ToString(created->record.kind)) + ") created by key " +
                       Caller(req).key_id.value());
    json::object out = KeyJson(created->record);
    out["key"] = created->key;  // shown this once
    SendJson(res, 201, out);
  });

  s.Get("/v1/keys", [this](const httplib::Request&, httplib::Response& res) {
    auto keys = keys_.List();
    if (!keys) return SendStoreError(res, keys.error());
    json::array items;
    for (const ApiKeyRecord& k : *keys) items.push_back(KeyJson(k));
    SendJson(res, 200, json::object{{"keys", std::move(items)}});
  });

  s.Get(R"(/v1/keys/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    auto keys = keys_.List();
    if (!keys) return SendStoreError(res, keys.error());
    for (const ApiKeyRecord& k : *keys) {
      if (k.id.value() == req.matches[1]) return SendJson(res, 200, KeyJson(k));
    }
    SendError(res, 404, NoSuchKey());
  });

  s.Delete(R"(/v1/keys/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    const ApiKeyId id(req.matches[1]);
    auto revoked = keys_.Revoke(id, clock_.NowMs());
    if (!revoked) return SendStoreError(res, revoked.error());
    if (!*revoked) return SendError(res, 404, NoSuchKey());
    LogInfo("api", "API key " + id.value() + " revoked by key " + Caller(req).key_id.value());
    SendJson(res, 200, KeyJson(**revoked));
  });
}

}  // namespace hookbroker
