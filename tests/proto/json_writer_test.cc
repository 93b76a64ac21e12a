#include "proto/json_writer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

namespace hookbroker {
namespace {

std::string Written(std::string_view s) {
  std::string out = "prefix";
  AppendJsonString(out, s);
  return out.substr(6);
}

TEST(JsonWriterTest, EveryByteIsWrittenAsBoostJsonWritesIt) {
  for (int c = 0; c < 256; ++c) {
    const std::string s = "a" + std::string(1, static_cast<char>(c)) + "b";
    ASSERT_EQ(Written(s), boost::json::serialize(boost::json::string_view(s))) << "byte " << c;
  }
}

TEST(JsonWriterTest, RandomStringsMatchBoostJsonAndParseBack) {
  std::mt19937 rng(20261201);
  std::uniform_int_distribution<int> length(0, 64);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> ascii(0, 127);  // mostly escapes and plain text
  for (int i = 0; i < 2000; ++i) {
    std::string s(static_cast<std::size_t>(length(rng)), '\0');
    for (char& c : s) c = static_cast<char>(i % 2 == 0 ? ascii(rng) : byte(rng));
    const std::string json = Written(s);
    ASSERT_EQ(json, boost::json::serialize(boost::json::string_view(s)));
    if (i % 2 == 0) {  // ASCII: valid UTF-8, so the parser gives the same bytes back
      ASSERT_EQ(boost::json::parse(json).as_string(), s);
    }
  }
  EXPECT_EQ(Written(""), "\"\"");
  EXPECT_EQ(Written("say \"hi\"\\\n"), R"("say \"hi\"\\\n")");
}

TEST(JsonWriterTest, IntegersAsBoostJsonWritesThem) {
  for (std::int64_t v :
       {std::int64_t{0}, std::int64_t{-1}, std::int64_t{200}, std::int64_t{1'700'000'000'000},
        std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()}) {
    std::string out;
    AppendJsonInt(out, v);
    EXPECT_EQ(out, boost::json::serialize(boost::json::value(v)));
  }
}

}  // namespace
}  // namespace hookbroker
