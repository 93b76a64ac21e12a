#include "proto/event.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <regex>
#include <set>

#include "proto/limits.h"

namespace hookbroker {
namespace {

boost::json::object Minimal() {
  return boost::json::object{{"eventType", "TextMessageCreated"}, {"groupId", "g1"}};
}

Result<Event> ParseWith(std::string_view key, boost::json::value value) {
  boost::json::object obj = Minimal();
  obj[key] = std::move(value);
  return ParseEvent(obj);
}

void ExpectInvalid(const Result<Event>& event, std::string_view field) {
  ASSERT_FALSE(event.ok()) << field;
  EXPECT_EQ(event.error().code, "invalid_field");
  EXPECT_EQ(event.error().field, field);
  EXPECT_TRUE(event.error().message.starts_with(std::string(field) + ": "))
      << event.error().message;
}

TEST(EventTest, ParsesMinimalEvent) {
  Result<Event> event = ParseEvent(Minimal());
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->type, "TextMessageCreated");
  EXPECT_EQ(event->group_id, "g1");
  EXPECT_TRUE(event->id.value().empty());
  EXPECT_TRUE(event->action_package_id.empty());
  EXPECT_TRUE(event->action_id.empty());
  EXPECT_EQ(event->timestamp_ms, 0);
}

TEST(EventTest, CopiesTypedFieldsAndKeepsUnknownFields) {
  const boost::json::value input = boost::json::parse(R"({
    "eventType": "ActionResponse", "groupId": "g1", "actionPackageId": "pkg", "actionId": "a1",
    "eventId": "e-1", "timestamp": 1700000000000, "fromUser": "+1555", "fromUserId": "u1",
    "fromUserName": "Ann", "fromUserProfilePic": "https://x/p.png", "data": {"k": [1, 2]},
    "custom": {"nested": true}})");
  Result<Event> event = ParseEvent(input);
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->id.value(), "e-1");
  EXPECT_EQ(event->action_package_id, "pkg");
  EXPECT_EQ(event->action_id, "a1");
  EXPECT_EQ(event->timestamp_ms, 1700000000000);
  EXPECT_EQ(event->source, input.get_object());
  EXPECT_EQ(EventJson(*event).at("custom"), boost::json::parse(R"({"nested": true})"));
}

TEST(EventTest, RejectsNonObject) {
  for (const char* text : {"[]", "\"x\"", "1", "null"}) {
    Result<Event> event = ParseEvent(boost::json::parse(text));
    ASSERT_FALSE(event.ok()) << text;
    EXPECT_FALSE(event.error().message.empty());
  }
}

TEST(EventTest, RequiresEventType) {
  boost::json::object obj = Minimal();
  obj.erase("eventType");
  Result<Event> event = ParseEvent(obj);
  ASSERT_FALSE(event.ok());
  EXPECT_EQ(event.error().code, "missing_field");
  EXPECT_EQ(event.error().field, "eventType");
}

TEST(EventTest, RejectsInvalidEventTypes) {
  ExpectInvalid(ParseWith("eventType", 5), "eventType");
  ExpectInvalid(ParseWith("eventType", ""), "eventType");
  ExpectInvalid(ParseWith("eventType", "1Bad"), "eventType");
  ExpectInvalid(ParseWith("eventType", "has space"), "eventType");
  ExpectInvalid(ParseWith("eventType", "*"), "eventType");
  ExpectInvalid(ParseWith("eventType", boost::json::string(65, 'a')), "eventType");
}

TEST(EventTest, AcceptsKaizalaAndCustomEventTypes) {
  for (std::string_view type : kKaizalaEventTypes) {
    EXPECT_TRUE(ParseWith("eventType", boost::json::string(type)).ok()) << type;
  }
  EXPECT_TRUE(ParseWith("eventType", "order.created-v2_x").ok());
  EXPECT_TRUE(ParseWith("eventType", boost::json::string(64, 'a')).ok());
}

TEST(EventTest, EventTypeNameRules) {
  EXPECT_TRUE(IsKaizalaEventType("MemberAdded"));
  EXPECT_FALSE(IsKaizalaEventType("memberadded"));
  EXPECT_EQ(kKaizalaEventTypes.size(), 13u);
  EXPECT_TRUE(IsValidEventTypeName("A"));
  EXPECT_FALSE(IsValidEventTypeName("_a"));
  EXPECT_FALSE(IsValidEventTypeName("a/b"));
}

TEST(EventTest, RequiresGroupId) {
  boost::json::object obj = Minimal();
  obj.erase("groupId");
  Result<Event> event = ParseEvent(obj);
  ASSERT_FALSE(event.ok());
  EXPECT_EQ(event.error().code, "missing_field");
  EXPECT_EQ(event.error().field, "groupId");
}

TEST(EventTest, RejectsBadGroupId) {
  ExpectInvalid(ParseWith("groupId", ""), "groupId");
  ExpectInvalid(ParseWith("groupId", 42), "groupId");
  Result<Event> too_long = ParseWith("groupId", boost::json::string(257, 'g'));
  ExpectInvalid(too_long, "groupId");
  EXPECT_EQ(too_long.error().message,
            "groupId: must be a non-empty string of at most 256 characters");
  EXPECT_TRUE(ParseWith("groupId", boost::json::string(256, 'g')).ok());
}

TEST(EventTest, ValidatesOptionalObjectIds) {
  for (std::string_view key : {"actionPackageId", "actionId"}) {
    ExpectInvalid(ParseWith(key, 1), key);
    ExpectInvalid(ParseWith(key, boost::json::string(257, 'x')), key);
    EXPECT_TRUE(ParseWith(key, boost::json::string(256, 'x')).ok());
  }
}

TEST(EventTest, TreatsNullOptionalFieldsAsAbsent) {
  Result<Event> event = ParseWith("actionId", nullptr);
  ASSERT_TRUE(event.ok());
  EXPECT_TRUE(event->action_id.empty());
  EXPECT_TRUE(ParseWith("actionPackageId", nullptr).ok());
}

TEST(EventTest, ValidatesEventId) {
  ExpectInvalid(ParseWith("eventId", ""), "eventId");
  ExpectInvalid(ParseWith("eventId", 7), "eventId");
  ExpectInvalid(ParseWith("eventId", boost::json::string(129, 'e')), "eventId");
  ExpectInvalid(ParseWith("eventId", "bad\nid"), "eventId");
  ExpectInvalid(ParseWith("eventId", "bad\x7fid"), "eventId");
  Result<Event> event = ParseWith("eventId", boost::json::string(128, 'e'));
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->id.value(), std::string(128, 'e'));
}

TEST(EventTest, ValidatesUserFields) {
  for (std::string_view key : {"fromUser", "fromUserId", "fromUserName", "fromUserProfilePic"}) {
    ExpectInvalid(ParseWith(key, true), key);
    ExpectInvalid(ParseWith(key, boost::json::string(limits::kMaxUserFieldLength + 1, 'u')), key);
    EXPECT_TRUE(ParseWith(key, boost::json::string(limits::kMaxUserFieldLength, 'u')).ok());
  }
}

TEST(EventTest, AcceptsIntegralTimestampForms) {
  EXPECT_EQ(ParseWith("timestamp", std::int64_t{1700000000000})->timestamp_ms, 1700000000000);
  EXPECT_EQ(ParseWith("timestamp", std::uint64_t{1700000000000})->timestamp_ms, 1700000000000);
  Result<Event> from_double = ParseWith("timestamp", 1.7e12);
  ASSERT_TRUE(from_double.ok());
  EXPECT_EQ(from_double->timestamp_ms, 1700000000000);
  // Receivers get the integer, not the producer's float spelling.
  EXPECT_TRUE(from_double->source.at("timestamp").is_int64());
}

TEST(EventTest, RejectsBadTimestamps) {
  ExpectInvalid(ParseWith("timestamp", -1), "timestamp");
  ExpectInvalid(ParseWith("timestamp", 1.5), "timestamp");
  ExpectInvalid(ParseWith("timestamp", "1700000000000"), "timestamp");
  ExpectInvalid(ParseWith("timestamp", std::uint64_t{18446744073709551615ull}), "timestamp");
  ExpectInvalid(ParseWith("timestamp", 1e300), "timestamp");
}

TEST(EventTest, ValidatesData) {
  ExpectInvalid(ParseWith("data", "text"), "data");
  ExpectInvalid(ParseWith("data", boost::json::array{1}), "data");
  // {"k":"..."} is 8 bytes of framing around the string.
  const std::string fits(limits::kMaxEventDataBytes - 8, 'd');
  EXPECT_TRUE(ParseWith("data", boost::json::object{{"k", fits}}).ok());
  ExpectInvalid(ParseWith("data", boost::json::object{{"k", fits + "d"}}), "data");
}

// The whole event, unknown fields included, `size` bytes when serialized.
boost::json::object EventOfSize(std::size_t size) {
  boost::json::object obj = Minimal();
  obj["extra"] = "";
  const std::size_t base = boost::json::serialize(obj).size();
  obj["extra"] = std::string(size - base, 'x');
  EXPECT_EQ(boost::json::serialize(obj).size(), size);
  return obj;
}

TEST(EventTest, AcceptsWholeEventAtTheSizeLimit) {
  EXPECT_TRUE(ParseEvent(EventOfSize(limits::kMaxEventBytes)).ok());
}

TEST(EventTest, RejectsWholeEventOverTheSizeLimitCountingUnknownFields) {
  Result<Event> event = ParseEvent(EventOfSize(limits::kMaxEventBytes + 1));
  ASSERT_FALSE(event.ok());
  EXPECT_EQ(event.error().code, "event_too_large");
  EXPECT_TRUE(event.error().message.starts_with("event: larger than 327680 bytes"))
      << event.error().message;
}

TEST(EventTest, DataAtItsLimitFitsInTheWholeEventWithEveryFieldAtItsLimit) {
  boost::json::object obj{{"eventType", "C" + std::string(63, 'c')},
                          {"groupId", std::string(limits::kMaxObjectIdLength, 'g')},
                          {"actionPackageId", std::string(limits::kMaxObjectIdLength, 'p')},
                          {"actionId", std::string(limits::kMaxObjectIdLength, 'a')},
                          {"eventId", std::string(limits::kMaxEventIdLength, 'i')},
                          {"timestamp", 1700000000000},
                          {"data", {{"k", std::string(limits::kMaxEventDataBytes - 8, 'd')}}}};
  for (const char* key : {"fromUser", "fromUserId", "fromUserName", "fromUserProfilePic"}) {
    obj[key] = std::string(limits::kMaxUserFieldLength, 'u');
  }
  EXPECT_TRUE(ParseEvent(obj).ok());
}

// Found by ingest_frame_fuzzer: Boost.JSON reads 1e400 as infinity and writes it back as
// `Infinity`, so the event was accepted and stored as text that is not JSON.
TEST(EventTest, RejectsNumbersThatOverflowToInfinityWhichWouldBeStoredAsInvalidJson) {
  for (const char* text :
       {R"({"eventType":"JobCreated","groupId":"g","p":0.7e712})",
        R"({"eventType":"JobCreated","groupId":"g","data":{"a":[1,{"b":-1e400}]}})"}) {
    Result<Event> event = ParseEvent(boost::json::parse(text));
    ASSERT_FALSE(event.ok()) << text;
    EXPECT_EQ(event.error().code, "invalid_field");
    EXPECT_TRUE(event.error().message.ends_with("holds a number too large for a double"));
  }
  EXPECT_EQ(
      ParseEvent(boost::json::parse(R"({"eventType":"JobCreated","groupId":"g","p":0.7e712})"))
          .error()
          .field,
      "p");
  // Large but finite, and underflowing to zero, are fine and survive a round trip.
  Result<Event> finite = ParseEvent(
      boost::json::parse(R"({"eventType":"JobCreated","groupId":"g","p":1e308,"q":1e-400})"));
  ASSERT_TRUE(finite.ok());
  EXPECT_NO_THROW(boost::json::parse(boost::json::serialize(EventJson(*finite))));
}

// The fields are found in one pass over the object; what is checked first, and which member is
// named, must not depend on the order the producer wrote them in.
TEST(EventTest, ReportsTheFirstFailingCheckWhateverTheMemberOrder) {
  // Two numbers too large: the first in the object is named.
  EXPECT_EQ(ParseEvent(boost::json::parse(
                           R"({"q":1e400,"eventType":"JobCreated","p":-1e400,"groupId":"g"})"))
                .error()
                .field,
            "q");
  // A field's own check comes before the numbers' check, wherever the field is.
  ExpectInvalid(ParseEvent(boost::json::parse(
                    R"({"p":1e400,"eventType":"JobCreated","groupId":"g","timestamp":-1})")),
                "timestamp");
  ExpectInvalid(ParseEvent(boost::json::parse(
                    R"({"data":[1],"fromUser":7,"eventType":"JobCreated","groupId":"g"})")),
                "fromUser");
  Result<Event> missing =
      ParseEvent(boost::json::parse(R"({"groupId":"","actionId":5,"eventType":null})"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "missing_field");
  EXPECT_EQ(missing.error().field, "eventType");
  // Of duplicate keys the parser keeps the last, and so does the event.
  Result<Event> duplicate =
      ParseEvent(boost::json::parse(R"({"eventType":"JobCreated","groupId":"a","groupId":"b"})"));
  ASSERT_TRUE(duplicate.ok());
  EXPECT_EQ(duplicate->group_id, "b");
}

// Normalizing the timestamp must leave the other fields found in the same pass readable: an
// assignment through object::operator[] grew the table and freed them (AddressSanitizer saw the
// read of `data`). Heap storage here, where the ingest's arena would hide a freed table.
TEST(EventTest, NormalizedTimestampLeavesTheOtherFieldsIntact) {
  Result<Event> event = ParseEvent(boost::json::parse(
      R"({"eventType":"JobCreated","groupId":"g","timestamp":1.7e12,"data":{"a":[1,2]}})"));
  ASSERT_TRUE(event.ok()) << event.error().message;
  EXPECT_EQ(event->timestamp_ms, 1700000000000);
  EXPECT_EQ(
      event->stored_json,
      R"({"eventType":"JobCreated","groupId":"g","timestamp":1700000000000,"data":{"a":[1,2]}})");
  ExpectInvalid(ParseEvent(boost::json::parse(
                    R"({"eventType":"JobCreated","groupId":"g","timestamp":5,"data":[1]})")),
                "data");
}

TEST(EventTest, AssignDefaultsFillsMissingIdAndTimestamp) {
  Result<Event> event = ParseEvent(Minimal());
  ASSERT_TRUE(event.ok());
  AssignDefaults(*event, EventId("generated"), 1234);
  EXPECT_EQ(event->id.value(), "generated");
  EXPECT_EQ(event->timestamp_ms, 1234);
  EXPECT_EQ(EventJson(*event).at("eventId"), "generated");
  EXPECT_EQ(EventJson(*event).at("timestamp"), 1234);
}

TEST(EventTest, AssignDefaultsKeepsProducerValues) {
  boost::json::object obj = Minimal();
  obj["eventId"] = "mine";
  obj["timestamp"] = 99;
  Result<Event> event = ParseEvent(obj);
  ASSERT_TRUE(event.ok());
  AssignDefaults(*event, EventId("generated"), 1234);
  EXPECT_EQ(event->id.value(), "mine");
  EXPECT_EQ(event->timestamp_ms, 99);
  EXPECT_EQ(EventJson(*event).at("eventId"), "mine");
  EXPECT_EQ(EventJson(*event).at("timestamp"), 99);
}

// The commit stores stored_json instead of serializing again: it must be exactly what
// serializing the source gives, whichever defaults were filled in, including a null eventId
// or timestamp that AssignDefaults replaces in place.
TEST(EventTest, StoredJsonIsTheSerializedSourceAfterDefaults) {
  const std::vector<std::string> inputs = {
      R"({"eventType":"JobCreated","groupId":"g"})",
      R"({"eventType":"JobCreated","groupId":"g","eventId":"mine"})",
      R"({"eventType":"JobCreated","groupId":"g","timestamp":1.7e12})",
      R"({"eventType":"JobCreated","groupId":"g","eventId":"mine","timestamp":5})",
      R"({"eventType":"JobCreated","groupId":"g","eventId":null,"timestamp":null})",
      R"({"eventType":"JobCreated","groupId":"g","data":{"t\u00e9xt":"\"q\"\n","n":0.1}})",
      // Serialized in more than one piece (over 4 KiB).
      R"({"eventType":"JobCreated","groupId":"g","data":{"text":")" + std::string(9000, 'x') +
          R"("}})",
  };
  for (const std::string& input : inputs) {
    Result<Event> event = ParseEvent(boost::json::parse(input));
    ASSERT_TRUE(event.ok()) << input;
    EXPECT_EQ(event->stored_json, boost::json::serialize(event->source)) << input;
    AssignDefaults(*event, EventId("gen-\"id\""), 1234);
    std::string scratch;
    EXPECT_EQ(StoredEventJson(*event, scratch), boost::json::serialize(event->source)) << input;
    const boost::json::value round = boost::json::parse(StoredEventJson(*event, scratch));
    EXPECT_EQ(round.at("timestamp").to_number<std::int64_t>(), event->timestamp_ms) << input;
    EXPECT_EQ(round.at("eventId").as_string(), event->id.value()) << input;
  }
}

TEST(EventTest, GenerateUuidIsRandomVersion4) {
  const std::regex pattern("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string uuid = GenerateUuid();
    EXPECT_TRUE(std::regex_match(uuid, pattern)) << uuid;
    seen.insert(uuid);
  }
  EXPECT_EQ(seen.size(), 100u);
}

}  // namespace
}  // namespace hookbroker
