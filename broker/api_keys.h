// ApiKeys: the keys accepted on /v1 calls, kept only as SHA-256 hashes and compared in constant
// time. Thread-safety: constant after construction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "proto/result.h"

namespace hookbroker {

class ApiKeys {
 public:
  explicit ApiKeys(const std::vector<std::string>& keys);

  // The key from "accessToken: KEY" or "Authorization: Bearer KEY" (either may be empty).
  bool Accepts(std::string_view access_token_header, std::string_view authorization_header) const;
  std::size_t size() const { return hashes_.size(); }

 private:
  std::vector<std::string> hashes_;  // hex SHA-256 of each key
};

// Reads DATA_DIR/api-key, or creates it (mode 0600) with a new random key. Used when no
// --api-key is configured, so that the API is never open.
Result<std::string> LoadOrCreateDefaultApiKey(const std::string& data_dir);

}  // namespace hookbroker
