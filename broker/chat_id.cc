#include "broker/chat_id.h"

namespace hookbroker {

bool IsChatIdShaped(std::string_view id) {
  if (id.size() != kChatIdLength) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

}  // namespace hookbroker
