// ApiKeys: the keys accepted on /v1 calls and /metrics, each of a kind (api_key_record.h).
//
// Two sources: bootstrap keys (--api-key, or DATA_DIR/api-key) are admin keys held in memory for
// the process's life; stored keys are created and revoked over REST (/v1/keys) and kept in the
// Store as SHA-256 hashes, never as keys. A key is shown once, when it is created.
//
// A presented key is hashed and compared with every accepted hash in constant time, without
// stopping at a match, so the time taken does not tell which key (if any) it resembled.
//
// Thread-safety: all methods may be called from any thread; the accepted hashes sit under a
// reader-writer mutex, so Create() and Revoke() take effect for the next request without a restart.
// Lifecycle: construct, Load() (reads the stored keys), then use; the Store outlives it.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "broker/api_key_record.h"
#include "broker/store.h"
#include "proto/result.h"

namespace hookbroker {

// Who made a request: the kind of key, and its id ("bootstrap" for a bootstrap key).
struct ApiCaller {
  ApiKeyKind kind = ApiKeyKind::kReadOnly;
  ApiKeyId key_id;
};

// A key just created: the key itself (shown once) and its record.
struct CreatedApiKey {
  std::string key;  // "hbk_" + 48 hex digits
  ApiKeyRecord record;
};

class ApiKeys {
 public:
  // `store` may be null: then only the bootstrap keys exist and Create() fails.
  ApiKeys(const std::vector<std::string>& bootstrap_keys, Store* store);
  ApiKeys(const ApiKeys&) = delete;
  ApiKeys& operator=(const ApiKeys&) = delete;

  // Reads the stored keys that are not revoked.
  Status Load();

  // The key from "accessToken: KEY" or "Authorization: Bearer KEY" (either may be empty);
  // nullopt when neither holds an accepted key.
  std::optional<ApiCaller> Authenticate(std::string_view access_token_header,
                                        std::string_view authorization_header) const;

  // Creates, stores and accepts a new key. Errors: invalid_field (label), storage_*.
  Result<CreatedApiKey> Create(ApiKeyKind kind, std::string label, std::int64_t now_ms);
  // Stored keys, revoked ones included (never the bootstrap keys: they are not stored).
  Result<std::vector<ApiKeyRecord>> List() const;
  // Stops accepting the key at once and marks it revoked. nullopt when unknown or already
  // revoked.
  Result<std::optional<ApiKeyRecord>> Revoke(const ApiKeyId& id, std::int64_t now_ms);

  std::size_t size() const;

 private:
  struct Accepted {
    std::string hash;  // hex SHA-256
    ApiKeyKind kind;
    ApiKeyId id;
  };

  Store* const store_;              // constant after construction; may be null
  mutable std::shared_mutex mu_;    // shared by Authenticate(), the hot path
  std::vector<Accepted> accepted_;  // guarded by mu_
};

// The longest label a key may carry.
inline constexpr std::size_t kMaxApiKeyLabelLength = 200;

// Reads DATA_DIR/api-key, or creates it (mode 0600) with a new random key. Used when no
// --api-key is configured, so that the API is never open. Logs a warning when the file is
// readable by group or others.
Result<std::string> LoadOrCreateDefaultApiKey(const std::string& data_dir);

}  // namespace hookbroker
