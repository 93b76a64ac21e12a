#include "broker/slack_markup.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace hookbroker {
namespace {

TEST(SlackMarkupTest, LinksBecomeMarkdown) {
  EXPECT_EQ(SlackToMarkdown("see <https://ci.example/b/7|build 7> now"),
            "see [build 7](https://ci.example/b/7) now");
  EXPECT_EQ(SlackToMarkdown("<https://ci.example/b/7>"), "https://ci.example/b/7");
  EXPECT_EQ(SlackToMarkdown("<mailto:ops@example.com|ops>"), "[ops](mailto:ops@example.com)");
  EXPECT_EQ(SlackToMarkdown("<https://a.example|>"), "https://a.example");
}

TEST(SlackMarkupTest, AnnouncementsBecomeMentions) {
  EXPECT_EQ(SlackToMarkdown("<!channel> deploy"), "@channel deploy");
  EXPECT_EQ(SlackToMarkdown("<!here> and <!all>"), "@here and @all");
  EXPECT_EQ(SlackToMarkdown("<!here|here>"), "@here");
}

TEST(SlackMarkupTest, EverythingElseIsLeftAlone) {
  EXPECT_EQ(SlackToMarkdown("plain text"), "plain text");
  EXPECT_EQ(SlackToMarkdown("<@U024BE7LH> hi"), "<@U024BE7LH> hi");
  EXPECT_EQ(SlackToMarkdown("<#C024BE7LR|general>"), "<#C024BE7LR|general>");
  EXPECT_EQ(SlackToMarkdown("<!date^1392734382^{date}|Feb 18>"),
            "<!date^1392734382^{date}|Feb 18>");
  EXPECT_EQ(SlackToMarkdown("a < b and c > d"), "a < b and c > d");
  EXPECT_EQ(SlackToMarkdown("1 < 2 <https://x.example>"), "1 < 2 https://x.example");
  EXPECT_EQ(SlackToMarkdown("unclosed <https://x.example"), "unclosed <https://x.example");
  EXPECT_EQ(SlackToMarkdown(""), "");
  EXPECT_EQ(SlackToMarkdown("| Component | Version |\n|:---|:-:|"),
            "| Component | Version |\n|:---|:-:|");
}

TEST(SlackMarkupTest, AttachmentTextPartsAreTranslated) {
  boost::json::array a = boost::json::parse(R"js([
    {"pretext":"<!channel>","text":"<https://x.example|x>","title":"<https://t.example>",
     "fallback":"<https://f.example|f>","fields":[{"title":"t","value":"<!here>"}, 3]},
    "not an object"
  ])js")
                             .as_array();
  SlackAttachmentsToMarkdown(a);
  EXPECT_EQ(a, boost::json::parse(R"js([
    {"pretext":"@channel","text":"[x](https://x.example)","title":"https://t.example",
     "fallback":"<https://f.example|f>","fields":[{"title":"t","value":"@here"}, 3]},
    "not an object"
  ])js"));
}

}  // namespace
}  // namespace hookbroker
