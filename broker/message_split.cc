#include "broker/message_split.h"

namespace hookbroker {
namespace {

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::vector<std::string> SplitMessage(std::string_view text, std::size_t max_code_points) {
  std::vector<std::string> pieces;
  while (true) {
    // Byte offset just past max_code_points code points (or the end), and the offset of the
    // piece's half-way point.
    std::size_t end = 0, half = 0, count = 0;
    while (end < text.size() && count < max_code_points) {
      ++end;
      while (end < text.size() && IsContinuation(text[end])) ++end;
      ++count;
      if (count == max_code_points / 2) half = end;
    }
    if (end >= text.size()) {
      pieces.emplace_back(text);
      return pieces;
    }
    std::size_t cut = end;
    for (char boundary : {'\n', ' '}) {
      const std::size_t at = text.substr(0, end).rfind(boundary);
      if (at != std::string_view::npos && at >= half) {
        cut = at + 1;
        break;
      }
    }
    pieces.emplace_back(text.substr(0, cut));
    text.remove_prefix(cut);
  }
}

}  // namespace hookbroker
