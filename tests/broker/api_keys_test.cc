// API keys against a real Store in a temporary folder: kinds, hashing, constant-time lookup,
// creation and revocation taking effect at once, and persistence across a reopen.
#include "broker/api_keys.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "proto/signature.h"
#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

constexpr std::int64_t kNow = 1'700'000'000'000;
constexpr const char* kBootstrap = "bootstrap-key-0123456789";

class ApiKeysTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    keys_.reset();
    store_.reset();
    auto s = Store::Open(StoreOptions{dir_.path(), 64ULL << 20, 126});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
    keys_ = std::make_unique<ApiKeys>(std::vector<std::string>{kBootstrap}, store_.get());
    ASSERT_TRUE(keys_->Load().ok());
  }

  std::optional<ApiKeyKind> KindOf(const std::string& key) {
    auto caller = keys_->Authenticate(key, "");
    if (!caller) return std::nullopt;
    return caller->kind;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<ApiKeys> keys_;
};

TEST_F(ApiKeysTest, BootstrapKeyIsAnAdminKeyInEitherHeader) {
  auto caller = keys_->Authenticate(kBootstrap, "");
  ASSERT_TRUE(caller.has_value());
  EXPECT_EQ(caller->kind, ApiKeyKind::kAdmin);
  EXPECT_EQ(caller->key_id.value(), "bootstrap");
  EXPECT_TRUE(keys_->Authenticate("", std::string("Bearer ") + kBootstrap).has_value());
  EXPECT_TRUE(keys_->Authenticate("", std::string("bearer ") + kBootstrap).has_value());
  EXPECT_FALSE(keys_->Authenticate("", kBootstrap).has_value()) << "no Bearer prefix";
  EXPECT_FALSE(keys_->Authenticate("", "").has_value());
  EXPECT_FALSE(keys_->Authenticate("bootstrap-key-012345678", "").has_value());
  EXPECT_FALSE(keys_->Authenticate(std::string(kBootstrap) + "x", "").has_value());
}

TEST_F(ApiKeysTest, CreatedKeysAreAcceptedAtOnceWithTheirKind) {
  auto reader = keys_->Create(ApiKeyKind::kReadOnly, "dashboards", kNow);
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  auto admin = keys_->Create(ApiKeyKind::kAdmin, "deploy bot", kNow);
  ASSERT_TRUE(admin.ok()) << admin.error().message;
  EXPECT_TRUE(reader->key.starts_with("hbk_"));
  EXPECT_EQ(reader->key.size(), 4u + 48u);
  EXPECT_TRUE(reader->record.id.value().starts_with("key_"));
  EXPECT_NE(reader->key, admin->key);
  EXPECT_EQ(KindOf(reader->key), ApiKeyKind::kReadOnly);
  EXPECT_EQ(KindOf(admin->key), ApiKeyKind::kAdmin);
  EXPECT_EQ(keys_->Authenticate(reader->key, "")->key_id, reader->record.id);
}

TEST_F(ApiKeysTest, RevokedKeyIsRefusedAtOnceAndStaysListedAsRevoked) {
  auto created = keys_->Create(ApiKeyKind::kAdmin, "ci", kNow);
  ASSERT_TRUE(created.ok());
  auto revoked = keys_->Revoke(created->record.id, kNow + 5);
  ASSERT_TRUE(revoked.ok() && revoked->has_value());
  EXPECT_EQ((*revoked)->revoked_ms, kNow + 5);
  EXPECT_FALSE(KindOf(created->key).has_value());
  auto again = keys_->Revoke(created->record.id, kNow + 6);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value()) << "revoked twice";
  auto unknown = keys_->Revoke(ApiKeyId("key_nope"), kNow);
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());

  auto list = keys_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->at(0).label, "ci");
  EXPECT_EQ(list->at(0).revoked_ms, kNow + 5);
  EXPECT_TRUE(KindOf(kBootstrap).has_value()) << "revoking one key touched another";
}

TEST_F(ApiKeysTest, KeysAndRevocationsSurviveAReopen) {
  auto kept = keys_->Create(ApiKeyKind::kReadOnly, "kept", kNow);
  auto gone = keys_->Create(ApiKeyKind::kAdmin, "gone", kNow);
  ASSERT_TRUE(kept.ok() && gone.ok());
  ASSERT_TRUE(keys_->Revoke(gone->record.id, kNow).ok());
  Open();
  EXPECT_EQ(KindOf(kept->key), ApiKeyKind::kReadOnly);
  EXPECT_FALSE(KindOf(gone->key).has_value());
  EXPECT_EQ(keys_->size(), 2u);  // the bootstrap key and "kept"
}

TEST_F(ApiKeysTest, TheStoreHoldsTheHashNeverTheKey) {
  auto created = keys_->Create(ApiKeyKind::kAdmin, "audit", kNow);
  ASSERT_TRUE(created.ok());
  keys_.reset();
  store_.reset();  // closed: everything is in data.mdb
  std::ifstream in(dir_.File("data.mdb"), std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  const std::string file = bytes.str();
  EXPECT_NE(file.find(Sha256Hex(created->key)), std::string::npos) << "the hash was not stored";
  EXPECT_EQ(file.find(created->key), std::string::npos) << "the key itself is in data.mdb";
  EXPECT_EQ(file.find(kBootstrap), std::string::npos) << "a bootstrap key is in data.mdb";
}

TEST_F(ApiKeysTest, AStoredKeyIsNeverReplaced) {
  auto created = keys_->Create(ApiKeyKind::kReadOnly, "first", kNow);
  ASSERT_TRUE(created.ok());
  ApiKeyRecord impostor = created->record;
  impostor.kind = ApiKeyKind::kAdmin;
  impostor.hash = Sha256Hex("another key");
  EXPECT_FALSE(store_->PutApiKey(impostor).ok());
  auto list = store_->ListApiKeys();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->at(0).kind, ApiKeyKind::kReadOnly);
  EXPECT_EQ(list->at(0).hash, Sha256Hex(created->key));
}

TEST_F(ApiKeysTest, LabelsAreBoundedAndPrintable) {
  auto long_label = keys_->Create(ApiKeyKind::kAdmin, std::string(201, 'x'), kNow);
  ASSERT_FALSE(long_label.ok());
  EXPECT_EQ(long_label.error().field, "label");
  auto control = keys_->Create(ApiKeyKind::kAdmin, "line\nbreak", kNow);
  ASSERT_FALSE(control.ok());
  EXPECT_EQ(control.error().field, "label");
  EXPECT_TRUE(keys_->Create(ApiKeyKind::kAdmin, std::string(200, 'x'), kNow).ok());
  EXPECT_TRUE(keys_->Create(ApiKeyKind::kAdmin, "", kNow).ok());
}

TEST(ApiKeyKindTest, NamesRoundTrip) {
  EXPECT_EQ(ToString(ApiKeyKind::kAdmin), "admin");
  EXPECT_EQ(ToString(ApiKeyKind::kReadOnly), "read-only");
  EXPECT_EQ(ParseApiKeyKind("admin"), ApiKeyKind::kAdmin);
  EXPECT_EQ(ParseApiKeyKind("read-only"), ApiKeyKind::kReadOnly);
  EXPECT_EQ(ParseApiKeyKind("readonly"), std::nullopt);
  EXPECT_EQ(ParseApiKeyKind("Admin"), std::nullopt);
}

}  // namespace
}  // namespace hookbroker::testing
