#include "proto/chat_id.h"

#include <gtest/gtest.h>

#include <set>

namespace hookbroker::testing {
namespace {

TEST(ChatIdTest, NewIdsAre26CharactersOfTheAlphabetAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewChatId();
    EXPECT_EQ(id.size(), kChatIdLength);
    EXPECT_TRUE(IsChatId(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(ChatIdTest, RecognisesOnlyWellFormedIds) {
  EXPECT_TRUE(IsChatId("zmigewsanbbsdf59xnmduzypjc"));  // the seed's token
  EXPECT_FALSE(IsChatId("zmigewsanbbsdf59xnmduzypj"));  // 25
  EXPECT_FALSE(IsChatId("zmigewsanbbsdf59xnmduzypjcc"));
  EXPECT_FALSE(IsChatId("Zmigewsanbbsdf59xnmduzypjc"));  // uppercase
  EXPECT_FALSE(IsChatId("0migewsanbbsdf59xnmduzypjc"));  // 0 is not in the alphabet
  EXPECT_FALSE(IsChatId(""));
}

}  // namespace
}  // namespace hookbroker::testing
