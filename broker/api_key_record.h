// An API key as the broker keeps it: its SHA-256 hash, kind, label and times; never the key
// itself (a copy of the data folder does not reveal a usable key). Pure data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proto/ids.h"

namespace hookbroker {

// admin: every call. read-only: every GET (lists, inspection, /metrics) except those that reveal
// secrets or keys; everything that changes something is refused with 403.
enum class ApiKeyKind { kAdmin, kReadOnly };
std::string_view ToString(ApiKeyKind kind);  // "admin", "read-only"
std::optional<ApiKeyKind> ParseApiKeyKind(std::string_view text);

// "key_" + 16 hex digits: names a stored key (to show or revoke it) without revealing it.
using ApiKeyId = NamedType<std::string, struct ApiKeyIdTag>;

struct ApiKeyRecord {
  ApiKeyId id;
  ApiKeyKind kind = ApiKeyKind::kReadOnly;
  std::string label;            // the operator's note: who or what uses it
  std::string hash;             // lowercase hex SHA-256 of the key
  std::int64_t created_ms = 0;  // epoch ms
  std::int64_t revoked_ms = 0;  // epoch ms; 0 while the key is accepted
};

}  // namespace hookbroker
