#include "broker/api_keys.h"

#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "broker/log.h"
#include "proto/signature.h"

namespace hookbroker {
namespace {

constexpr std::string_view kBootstrapId = "bootstrap";

// "hbk_" + 24 random bytes in hex: 192 bits, beyond guessing.
std::string NewApiKey() { return "hbk_" + RandomHex(24); }

}  // namespace

std::string_view ToString(ApiKeyKind kind) {
  return kind == ApiKeyKind::kAdmin ? "admin" : "read-only";
}

std::optional<ApiKeyKind> ParseApiKeyKind(std::string_view text) {
  if (text == "admin") return ApiKeyKind::kAdmin;
  if (text == "read-only") return ApiKeyKind::kReadOnly;
  return std::nullopt;
}

ApiKeys::ApiKeys(const std::vector<std::string>& bootstrap_keys, Store* store) : store_(store) {
  for (const auto& k : bootstrap_keys) {
    accepted_.push_back({Sha256Hex(k), ApiKeyKind::kAdmin, ApiKeyId(std::string(kBootstrapId))});
  }
}

Status ApiKeys::Load() {
  if (store_ == nullptr) return Status::Ok();
  auto stored = store_->ListApiKeys();
  if (!stored) return stored.error();
  std::lock_guard lock(mu_);
  for (const ApiKeyRecord& k : *stored) {
    if (k.revoked_ms == 0) accepted_.push_back({k.hash, k.kind, k.id});
  }
  return Status::Ok();
}

std::optional<ApiCaller> ApiKeys::Authenticate(std::string_view access_token,
                                               std::string_view authorization) const {
  std::string_view key = access_token;
  if (key.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    if (authorization.size() > kBearer.size() &&
        strncasecmp(authorization.data(), kBearer.data(), kBearer.size()) == 0) {
      key = authorization.substr(kBearer.size());
    }
  }
  if (key.empty()) return std::nullopt;
  const std::string hash = Sha256Hex(key);
  std::optional<ApiCaller> caller;
  std::shared_lock lock(mu_);
  for (const Accepted& a : accepted_) {
    // No early exit: every hash is compared whatever matched.
    if (ConstantTimeEquals(hash, a.hash) && !caller) caller = ApiCaller{a.kind, a.id};
  }
  return caller;
}

Result<CreatedApiKey> ApiKeys::Create(ApiKeyKind kind, std::string label, std::int64_t now_ms) {
  if (store_ == nullptr) return Error{"storage_error", "no store for API keys", ""};
  if (label.size() > kMaxApiKeyLabelLength || std::any_of(label.begin(), label.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
      })) {
    return Error::Invalid("label", "label: at most " + std::to_string(kMaxApiKeyLabelLength) +
                                       " characters, no control characters");
  }
  CreatedApiKey created;
  created.key = NewApiKey();
  created.record.id = ApiKeyId("key_" + RandomHex(8));
  created.record.kind = kind;
  created.record.label = std::move(label);
  created.record.hash = Sha256Hex(created.key);
  created.record.created_ms = now_ms;
  if (Status s = store_->PutApiKey(created.record); !s) return s.error();
  std::lock_guard lock(mu_);
  accepted_.push_back({created.record.hash, kind, created.record.id});
  return created;
}

Result<std::vector<ApiKeyRecord>> ApiKeys::List() const {
  if (store_ == nullptr) return std::vector<ApiKeyRecord>();
  return store_->ListApiKeys();
}

Result<std::optional<ApiKeyRecord>> ApiKeys::Revoke(const ApiKeyId& id, std::int64_t now_ms) {
  if (store_ == nullptr) return std::optional<ApiKeyRecord>();
  auto revoked = store_->RevokeApiKey(id, now_ms);
  if (!revoked || !*revoked) return revoked;
  std::lock_guard lock(mu_);
  std::erase_if(accepted_, [&](const Accepted& a) { return a.id == id; });
  return revoked;
}

std::size_t ApiKeys::size() const {
  std::shared_lock lock(mu_);
  return accepted_.size();
}

Result<std::string> LoadOrCreateDefaultApiKey(const std::string& data_dir) {
  const std::string path = data_dir + "/api-key";
  {
    std::ifstream in(path);
    if (in) {
      std::string key;
      std::getline(in, key);
      struct stat st {};
      if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
        // An admin key readable by other local users; say so, as ssh does for its keys.
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        LogWarn("config", path + " is readable by other users (mode " + mode +
                              "): it holds an admin API key; chmod 600 it");
      }
      if (key.size() >= 16) return key;
      return Error{"invalid_config", path + " does not hold a usable key (16+ characters)", ""};
    }
  }
  std::string key;
  try {
    key = NewApiKey();
  } catch (const std::exception&) {
    return Error{"invalid_config", "no random bytes for an API key", ""};
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0)
    return Error{"invalid_config", "cannot create " + path + ": " + std::strerror(errno), ""};
  const std::string line = key + "\n";
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::fsync(fd);
  ::close(fd);
  if (!written) return Error{"invalid_config", "cannot write " + path, ""};
  return key;
}

}  // namespace hookbroker
