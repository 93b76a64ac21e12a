// Splitting a message too long for one post, as Mattermost does for incoming webhooks: a post
// holds at most kMaxPostCodePoints characters (Unicode code points); a longer text becomes
// several posts, in order. Pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hookbroker {

inline constexpr std::size_t kMaxPostCodePoints = 16383;

// Pieces of at most max_code_points code points each, whose concatenation is `text`. A piece
// ends after the last newline in its second half when there is one, else after the last space
// there, else at the limit (never inside a UTF-8 sequence). An empty text is one empty piece.
std::vector<std::string> SplitMessage(std::string_view text,
                                      std::size_t max_code_points = kMaxPostCodePoints);

}  // namespace hookbroker
