#include "proto/chat_id.h"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace hookbroker {
namespace {

// Mattermost's base32 alphabet (model.NewId): lowercase letters and digits, no l/v or 0/2.
constexpr std::string_view kAlphabet = "ybndrfg8ejkmcpqxot1uwisza345h769";

}  // namespace

std::string NewChatId() {
  std::array<unsigned char, 16> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  std::string out;
  out.reserve(kChatIdLength);
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char byte : random) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 0x1f]);
      bits -= 5;
    }
  }
  out.push_back(kAlphabet[(buffer << (5 - bits)) & 0x1f]);  // the last 3 bits, zero-padded
  return out;
}

bool IsChatId(std::string_view text) {
  if (text.size() != kChatIdLength) return false;
  for (char c : text) {
    if (kAlphabet.find(c) == std::string_view::npos) return false;
  }
  return true;
}

}  // namespace hookbroker
