#include "proto/media_type.h"

#include <gtest/gtest.h>

namespace hookbroker {
namespace {

TEST(MediaTypeTest, KnownExtensionsAnyCaseAndInUrls) {
  EXPECT_EQ(MediaTypeForFileName("a.png"), "image/png");
  EXPECT_EQ(MediaTypeForFileName("A.JPEG"), "image/jpeg");
  EXPECT_EQ(MediaTypeForFileName("https://cdn.example/v/clip.mp4?sig=a.b#t=1"), "video/mp4");
  EXPECT_EQ(MediaTypeForFileName("notes.txt"), "text/plain");
}

TEST(MediaTypeTest, UnknownOrMissingExtensionIsADownload) {
  EXPECT_EQ(MediaTypeForFileName("report"), "application/octet-stream");
  EXPECT_EQ(MediaTypeForFileName("x.unknownext"), "application/octet-stream");
  EXPECT_EQ(MediaTypeForFileName("trailing."), "application/octet-stream");
  EXPECT_EQ(MediaTypeForFileName("https://a.b/dir.png/file"), "application/octet-stream");
  EXPECT_EQ(MediaTypeForFileName(""), "application/octet-stream");
}

}  // namespace
}  // namespace hookbroker
