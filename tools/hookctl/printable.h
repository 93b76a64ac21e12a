// Text from the broker made safe for a terminal: callback responses, ids and contexts come from
// other parties, and a control character in them could move the cursor or forge output lines.
#pragma once

#include <string>
#include <string_view>

namespace hookctl {

// Control characters (and DEL) become C escapes ("\n", "\x1b"); everything else, including
// UTF-8, is kept.
std::string Printable(std::string_view text);

// How many columns `text` takes on a terminal: UTF-8 code points, not bytes (wide characters
// are counted as one; good enough for ids and URLs).
std::size_t DisplayWidth(std::string_view text);

}  // namespace hookctl
