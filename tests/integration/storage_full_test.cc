// Storage full at ingest: producers get a clear per-request rejection, everything acknowledged
// before stays, the broker keeps serving, and ingest works again once space returns. Map full
// (MDB_MAP_FULL): LMDB on disk with the smallest map the broker allows (16 MiB), space back by
// a restart with a larger map or by expiry. Disk full (ENOSPC): the data folder on a 20 MiB
// tmpfs the test mounts (skipped where mounting is not permitted), space back by deleting a
// file. The real daemon, real ZeroMQ.
#include <sys/mount.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/broker_fixture.h"

namespace hookbroker::testing {
namespace {

// Events near the 256 KiB data limit, ten to a request (about 2.5 MiB a frame): a 16 MiB map
// fills within a few requests.
boost::json::array BigBatch(const std::string& prefix, int n) {
  boost::json::array batch;
  const std::string filler(200 * 1024, 'x');
  for (int i = 0; i < n; ++i) {
    batch.push_back(boost::json::object{{"eventType", "TextMessageCreated"},
                                        {"groupId", "g-full"},
                                        {"eventId", prefix + "-" + std::to_string(i)},
                                        {"data", boost::json::object{{"text", filler}}}});
  }
  return batch;
}

boost::json::array SmallEvent(const std::string& id) {
  return boost::json::array{boost::json::object{
      {"eventType", "TextMessageCreated"}, {"groupId", "g-full"}, {"eventId", id}}};
}

bool AllAccepted(const boost::json::value& reply) {
  if (!reply.is_object() || !reply.as_object().contains("results")) return false;
  for (const auto& r : reply.at("results").as_array()) {
    if (r.at("status") != "accepted") return false;
  }
  return true;
}

class StorageFullTest : public BrokerFixture {
 protected:
  // Publishes big batches until one is refused; returns the ids acknowledged before that and
  // the refusal. Fails the test when no refusal comes within 64 MiB of events.
  std::vector<std::string> FillUntilRefused(boost::json::value* refusal) {
    std::vector<std::string> acked;
    for (int request = 0; request < 26; ++request) {
      const boost::json::value reply = Publish(BigBatch("fill" + std::to_string(request), 10));
      if (!AllAccepted(reply)) {
        *refusal = reply;
        return acked;
      }
      for (const auto& r : reply.at("results").as_array()) {
        acked.emplace_back(r.at("eventId").as_string());
      }
    }
    ADD_FAILURE() << "a 16 MiB map took 64 MiB of events without refusing";
    return acked;
  }

  void ExpectStored(const std::vector<std::string>& ids) {
    for (const std::string& id : ids) {
      EXPECT_EQ(Api("GET", "/v1/events/" + id).status, 200) << "acknowledged event " << id;
    }
  }
};

TEST_F(StorageFullTest, MapFullRejectionNamesStorageFullAndRecoversWithALargerMap) {
  StartBroker({"--map-size-mb", "16"});
  boost::json::value refusal;
  const std::vector<std::string> acked = FillUntilRefused(&refusal);
  ASSERT_FALSE(acked.empty()) << "the first request was already refused: " << refusal;

  // A per-request rejection that names the cause and says nothing was accepted.
  ASSERT_TRUE(refusal.is_object()) << refusal;
  ASSERT_TRUE(refusal.as_object().contains("error")) << refusal;
  const std::string error(refusal.at("error").as_string());
  EXPECT_NE(error.find("storage full"), std::string::npos) << error;
  EXPECT_NE(error.find("nothing in this request was accepted"), std::string::npos) << error;

  // Still running: REST answers, and a second big request gets the same clear answer.
  EXPECT_EQ(HttpCall(broker_->rest_url(), "GET", "/healthz").status, 200);
  const boost::json::value again = Publish(BigBatch("again", 10));
  ASSERT_TRUE(again.is_object() && again.as_object().contains("error")) << again;
  EXPECT_NE(std::string(again.at("error").as_string()).find("storage full"), std::string::npos);
  ExpectStored(acked);

  // Space returns: the same data, a larger map.
  ASSERT_EQ(broker_->Stop(SIGTERM), 0) << broker_->Output();
  StartBroker({"--map-size-mb", "64"});
  ExpectStored(acked);
  EXPECT_TRUE(AllAccepted(Publish(BigBatch("after", 10))));
  EXPECT_TRUE(AllAccepted(Publish(SmallEvent("small-after"))));
}

// Regression: once ingest had filled the map to its last page, expiry could not commit its
// deletes either (copy-on-write needs fresh pages), so space never came back without a restart.
// And a second one: when every stored event expired in one expiry step (a fill faster than the
// 0.2 s expiry interval, as on a quiet machine), the freed pages stayed unusable, since LMDB reuses
// a commit's freed pages only after a later commit and every ingest attempt failed; an expiry pass
// now ends with one more commit (tests/broker/expiry_after_map_full_test.cc has it exactly).
TEST_F(StorageFullTest, ExpiryFreesSpaceAfterIngestFilledTheMapToTheLastPage) {
  // Retention 10 s, expiry every 0.2 s: what was stored expires soon after the map fills, and not
  // before. The fill must outrun expiry: with 2 s, a sanitizer build (about 0.45 s a big request
  // under ThreadSanitizer) kept only about 9 MiB of events alive and the map never filled.
  constexpr auto kRetention = std::chrono::seconds(10);
  StartBroker({"--map-size-mb", "16", "--retention-days", "0.0001158", "--gc-interval", "0.2"});
  boost::json::value refusal;
  const std::vector<std::string> acked = FillUntilRefused(&refusal);
  ASSERT_FALSE(acked.empty()) << refusal;
  ASSERT_TRUE(refusal.is_object() && refusal.as_object().contains("error")) << refusal;
  // Small events fill what the big ones left, down to single events.
  int small_accepted = 0;
  for (int size : {100, 10, 1}) {
    for (int request = 0; request < 2000; ++request) {
      boost::json::array batch;
      for (int i = 0; i < size; ++i) {
        batch.push_back(SmallEvent("top-" + std::to_string(size) + "-" + std::to_string(request) +
                                   "-" + std::to_string(i))
                            .at(0));
      }
      if (!AllAccepted(Publish(batch))) break;
      small_accepted += size;
    }
  }
  EXPECT_GT(small_accepted, 0);

  // The same broker process accepts big requests again once expiry has freed pages. Bounded:
  // the first events expire at most the retention after now, and expiry runs every 0.2 s, so
  // another 15 s is far more than it needs.
  bool recovered = false;
  const auto deadline = std::chrono::steady_clock::now() + kRetention + std::chrono::seconds(15);
  for (int i = 0; !recovered && std::chrono::steady_clock::now() < deadline; ++i) {
    recovered = AllAccepted(Publish(BigBatch("retry" + std::to_string(i), 10)));
    if (!recovered) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  // On failure, every expiry line (the refused requests' lines would hide them in a tail).
  std::istringstream output(broker_->Output());
  std::string expiry_lines;
  for (std::string line; std::getline(output, line);) {
    if (line.find("history") != std::string::npos) expiry_lines += line + "\n";
  }
  EXPECT_TRUE(recovered) << "expiry passes logged:\n" << expiry_lines;
  EXPECT_EQ(HttpCall(broker_->rest_url(), "GET", "/healthz").status, 200);
}

// A 20 MiB tmpfs mounted for one test, unmounted (lazily) at the end.
class SmallDisk {
 public:
  explicit SmallDisk(const std::string& dir) : dir_(dir) {
    std::filesystem::create_directories(dir_);
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, "size=20m") == 0) {
      mounted_ = true;
    } else {
      why_not_ = std::strerror(errno);
    }
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& why_not() const { return why_not_; }

 private:
  std::string dir_;
  bool mounted_ = false;
  std::string why_not_;
};

TEST_F(StorageFullTest, DiskFullRejectsClearlyAndRecoversWhenSpaceReturns) {
  SmallDisk disk(dir_.File("disk"));
  if (!disk.mounted()) {
    GTEST_SKIP() << "cannot mount a tmpfs here (" << disk.why_not() << "); disk full is not tested";
  }
  // 12 MiB of the 20 taken by another file; the map (64 MiB) is larger than the disk.
  const std::string filler = dir_.File("disk/filler");
  {
    std::ofstream out(filler, std::ios::binary);
    const std::string mib(1 << 20, 'f');
    for (int i = 0; i < 12; ++i) out << mib;
    ASSERT_TRUE(out.good());
  }
  StartBroker({"--map-size-mb", "64", "--data-dir", dir_.File("disk/data")});
  boost::json::value refusal;
  const std::vector<std::string> acked = FillUntilRefused(&refusal);
  ASSERT_FALSE(acked.empty()) << refusal;
  ASSERT_TRUE(refusal.is_object() && refusal.as_object().contains("error")) << refusal;
  const std::string error(refusal.at("error").as_string());
  EXPECT_NE(error.find("storage full"), std::string::npos) << error;

  EXPECT_EQ(HttpCall(broker_->rest_url(), "GET", "/healthz").status, 200);
  ExpectStored(acked);

  // Space returns; the same broker process accepts again.
  ASSERT_TRUE(std::filesystem::remove(filler));
  EXPECT_TRUE(AllAccepted(Publish(BigBatch("after", 10)))) << broker_->Output();
  ExpectStored(acked);
  // And the data folder still opens after a clean stop and restart.
  ASSERT_EQ(broker_->Stop(SIGTERM), 0) << broker_->Output();
  StartBroker({"--map-size-mb", "64", "--data-dir", dir_.File("disk/data")});
  ExpectStored(acked);
}

}  // namespace
}  // namespace hookbroker::testing
