#include "broker/message_split.h"

#include <gtest/gtest.h>

namespace hookbroker {
namespace {

std::string Join(const std::vector<std::string>& pieces) {
  std::string all;
  for (const auto& p : pieces) all += p;
  return all;
}

std::size_t CodePoints(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

TEST(MessageSplitTest, ShortTextIsOnePiece) {
  EXPECT_EQ(SplitMessage("hello"), std::vector<std::string>{"hello"});
  EXPECT_EQ(SplitMessage(""), std::vector<std::string>{""});
  const std::string exact(kMaxPostCodePoints, 'x');
  EXPECT_EQ(SplitMessage(exact).size(), 1u);
}

TEST(MessageSplitTest, OneOverTheLimitIsTwoPiecesCutAtTheLimit) {
  const std::string text(kMaxPostCodePoints + 1, 'x');
  const auto pieces = SplitMessage(text);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0].size(), kMaxPostCodePoints);
  EXPECT_EQ(pieces[1], "x");
}

TEST(MessageSplitTest, PrefersANewlineThenASpaceInTheSecondHalf) {
  EXPECT_EQ(SplitMessage("aaaaaa\nbbbb cc", 10), (std::vector<std::string>{"aaaaaa\n", "bbbb cc"}));
  EXPECT_EQ(SplitMessage("aaaaaaa bbbbbbb", 10), (std::vector<std::string>{"aaaaaaa ", "bbbbbbb"}));
  // A newline in the first half would make a tiny piece: cut at the limit instead.
  EXPECT_EQ(SplitMessage("a\nbbbbbbbbbbbbb", 10),
            (std::vector<std::string>{"a\nbbbbbbbb", "bbbbb"}));
}

TEST(MessageSplitTest, CountsCodePointsAndNeverCutsInsideOne) {
  std::string text;
  for (int i = 0; i < 25; ++i) text += "é€😀";  // 2, 3 and 4 bytes
  const auto pieces = SplitMessage(text, 10);
  EXPECT_EQ(Join(pieces), text);
  for (const auto& p : pieces) {
    EXPECT_LE(CodePoints(p), 10u);
    EXPECT_NE(static_cast<unsigned char>(p[0]) & 0xC0, 0x80) << "starts inside a code point";
  }
  EXPECT_EQ(pieces.size(), 8u);  // 75 code points
}

TEST(MessageSplitTest, LongRealisticTextKeepsEverythingInOrder) {
  std::string text;
  for (int i = 0; text.size() < 3 * kMaxPostCodePoints; ++i) {
    text += "line " + std::to_string(i) + " of the build log\n";
  }
  const auto pieces = SplitMessage(text);
  EXPECT_EQ(pieces.size(), 4u);
  EXPECT_EQ(Join(pieces), text);
  for (const auto& p : pieces) {
    EXPECT_LE(CodePoints(p), kMaxPostCodePoints);
    EXPECT_TRUE(p.ends_with('\n'));  // whole lines
  }
}

}  // namespace
}  // namespace hookbroker
