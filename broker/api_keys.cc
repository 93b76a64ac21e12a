#include "broker/api_keys.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "proto/signature.h"

namespace hookbroker {

ApiKeys::ApiKeys(const std::vector<std::string>& keys) {
  for (const auto& k : keys) hashes_.push_back(Sha256Hex(k));
}

bool ApiKeys::Accepts(std::string_view access_token, std::string_view authorization) const {
  std::string_view key = access_token;
  if (key.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    if (authorization.size() > kBearer.size() &&
        strncasecmp(authorization.data(), kBearer.data(), kBearer.size()) == 0) {
      key = authorization.substr(kBearer.size());
    }
  }
  if (key.empty()) return false;
  const std::string hash = Sha256Hex(key);
  bool ok = false;
  for (const auto& h : hashes_) ok |= ConstantTimeEquals(hash, h);  // no early exit
  return ok;
}

Result<std::string> LoadOrCreateDefaultApiKey(const std::string& data_dir) {
  const std::string path = data_dir + "/api-key";
  {
    std::ifstream in(path);
    if (in) {
      std::string key;
      std::getline(in, key);
      if (key.size() >= 16) return key;
      return Error{"invalid_config", path + " does not hold a usable key (16+ characters)", ""};
    }
  }
  unsigned char bytes[24];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return Error{"invalid_config", "no random bytes for an API key", ""};
  }
  std::string key = "hbk_";
  static const char kHex[] = "0123456789abcdef";
  for (unsigned char b : bytes) {
    key.push_back(kHex[b >> 4]);
    key.push_back(kHex[b & 15]);
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
