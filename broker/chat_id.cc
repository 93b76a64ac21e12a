#include "broker/chat_id.h"

#include <array>

#include "proto/signature.h"

namespace hookbroker {

std::string NewChatId() {
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  // 36 symbols: draw bytes below 252 (= 7 × 36) so each symbol is equally likely.
  std::string id;
  id.reserve(kChatIdLength);
  while (id.size() < kChatIdLength) {
    std::array<unsigned char, 32> bytes{};
    FillRandomBytes(bytes);
    for (unsigned char b : bytes) {
      if (b < 252 && id.size() < kChatIdLength) id.push_back(kAlphabet[b % kAlphabet.size()]);
    }
  }
  return id;
}

bool IsChatIdShaped(std::string_view id) {
  if (id.size() != kChatIdLength) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

}  // namespace hookbroker
