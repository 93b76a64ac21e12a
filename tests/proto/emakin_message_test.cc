// The emakin channel hook body: the seed's examples, the older `attachment` spelling, errors.
#include "proto/emakin_message.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace hookbroker {
namespace {

Result<EmakinMessage> Parse(const char* body) {
  return ParseEmakinMessage(boost::json::parse(body));
}

void ExpectInvalid(const char* body, std::string_view field) {
  Result<EmakinMessage> m = Parse(body);
  ASSERT_FALSE(m.ok()) << body;
  EXPECT_EQ(m.error().field, field) << m.error().message;
  EXPECT_FALSE(m.error().message.empty());
}

TEST(EmakinMessageTest, ParsesTheSeedsCaseUpdateExample) {
  Result<EmakinMessage> m = Parse(R"({
    "id" : "event2",
    "references" : [ "event1" ],
	"text" : "my message",
    "attachments" : [
    {"@type": "file", "displayName": "my file", "ext": "txt", "url": "http://myserver/myfile"},
    {"@type": "link", "url": "http://www.google.com", "displayName": "http://www.google.com"}]})");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->text, "my message");
  EXPECT_EQ(m->id, "event2");
  EXPECT_EQ(m->references, std::vector<std::string>{"event1"});
  ASSERT_EQ(m->attachments.size(), 2u);
  EXPECT_EQ(m->attachments[0].kind, EmakinAttachment::Kind::kFile);
  EXPECT_EQ(EmakinFileName(m->attachments[0]), "my file.txt");
  EXPECT_EQ(m->attachments[0].url, "http://myserver/myfile");
  EXPECT_EQ(m->attachments[1].kind, EmakinAttachment::Kind::kLink);
  EXPECT_EQ(m->attachments[1].display_name, "http://www.google.com");
}

TEST(EmakinMessageTest, BasicMessageHasNoCase) {
  Result<EmakinMessage> m = Parse(R"({"text" : "my message"})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->id, "");
  EXPECT_TRUE(m->references.empty());
  EXPECT_TRUE(m->attachments.empty());
}

TEST(EmakinMessageTest, AcceptsTheOlderAttachmentSpellingAsArrayOrObject) {
  Result<EmakinMessage> list =
      Parse(R"({"attachment":[{"@type":"link","url":"https://a.example/x"}]})");
  ASSERT_TRUE(list.ok()) << list.error().message;
  EXPECT_EQ(list->attachments.at(0).display_name, "https://a.example/x") << "the URL stands in";
  Result<EmakinMessage> one =
      Parse(R"({"attachment":{"@type":"file","displayName":"r.pdf","ext":"pdf","url":"u"}})");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(EmakinFileName(one->attachments.at(0)), "r.pdf") << "no doubled extension";
}

TEST(EmakinMessageTest, RefusesWhatCannotBeAMessage) {
  ExpectInvalid("[]", "");
  ExpectInvalid("{}", "text");
  ExpectInvalid(R"({"text":""})", "text");
  ExpectInvalid(R"({"text":5})", "text");
  ExpectInvalid(R"({"text":"t","attachments":"x"})", "attachments");
  ExpectInvalid(R"({"text":"t","attachments":[],"attachment":[]})", "attachment");
  ExpectInvalid(R"({"attachments":[{"@type":"video","url":"u"}]})", "attachments[0]");
  ExpectInvalid(R"({"attachments":[{"@type":"file"}]})", "attachments[0]");
  ExpectInvalid(R"({"attachments":[{"@type":"link","url":"u"}, 3]})", "attachments[1]");
  ExpectInvalid(R"({"text":"t","id":""})", "id");
  ExpectInvalid(R"({"text":"t","id":7})", "id");
  ExpectInvalid(R"({"text":"t","id":"a\nb"})", "id");
  ExpectInvalid(R"({"text":"t","references":"event1"})", "references");
  ExpectInvalid(R"({"text":"t","references":["ok",""]})", "references");
}

TEST(EmakinMessageTest, CaseIdLengthIsBounded) {
  const std::string at_limit(kMaxEmakinCaseIdLength, 'x');
  EXPECT_TRUE(Parse(("{\"text\":\"t\",\"id\":\"" + at_limit + "\"}").c_str()).ok());
  ExpectInvalid(("{\"text\":\"t\",\"id\":\"" + at_limit + "y\"}").c_str(), "id");
}

}  // namespace
}  // namespace hookbroker
