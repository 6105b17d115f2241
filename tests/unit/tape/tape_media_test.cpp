// The media file format: round trips, write protection flag, truncation,
// and crash recovery (a torn last record is dropped, everything before it
// survives, EOD is recovered).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tape_fakes.h"
#include "tape_media.h"

namespace nexus::tape::test {
namespace {

std::unique_ptr<TapeMedia> create_open(const std::string& path, uint64_t cap = 1u << 20) {
  std::string err;
  MediaCreateParams p;
  p.barcode = "A00001L8";
  p.capacity = cap;
  EXPECT_TRUE(TapeMedia::create(path, p, &err)) << err;
  auto m = TapeMedia::open(path, false, &err);
  EXPECT_TRUE(m) << err;
  return m;
}

int append(TapeMedia& m, std::vector<uint8_t> data) {
  iovec v{data.data(), data.size()};
  return m.append_block({&v, 1}, uint32_t(data.size()));
}

std::vector<uint8_t> read(TapeMedia& m, uint64_t i) {
  std::vector<uint8_t> buf(m.block_length(i));
  iovec v{buf.data(), buf.size()};
  EXPECT_EQ(m.read_block(i, {&v, 1}, uint32_t(buf.size())), 0);
  return buf;
}

uint64_t file_size(const std::string& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return uint64_t(st.st_size);
}

TEST(TapeMedia, CreateRejectsBadParameters) {
  TempDir dir;
  std::string err;
  MediaCreateParams p;
  p.barcode = "";
  p.capacity = 1 << 20;
  EXPECT_FALSE(TapeMedia::create(dir.file("a"), p, &err));
  p.barcode = "X";
  p.capacity = 100;
  EXPECT_FALSE(TapeMedia::create(dir.file("a"), p, &err));
  p.capacity = 1 << 20;
  EXPECT_TRUE(TapeMedia::create(dir.file("a"), p, &err)) << err;
  EXPECT_FALSE(TapeMedia::create(dir.file("a"), p, &err));  // exists
  EXPECT_NE(err.find("exists"), std::string::npos) << err;
}

TEST(TapeMedia, OpenRejectsForeignFiles) {
  TempDir dir;
  std::string err;
  int fd = ::open(dir.file("junk").c_str(), O_CREAT | O_WRONLY, 0644);
  std::vector<uint8_t> z(8192, 0x41);
  ASSERT_EQ(::write(fd, z.data(), z.size()), ssize_t(z.size()));
  ::close(fd);
  EXPECT_FALSE(TapeMedia::open(dir.file("junk"), true, &err));
  EXPECT_NE(err.find("not a tape media file"), std::string::npos) << err;
  EXPECT_FALSE(TapeMedia::open(dir.file("missing"), true, &err));
}

TEST(TapeMedia, RecordsAndFilemarksRoundTrip) {
  TempDir dir;
  std::string path = dir.file("t");
  {
    auto m = create_open(path);
    ASSERT_EQ(append(*m, pattern(100, 1)), 0);
    ASSERT_EQ(append(*m, pattern(70000, 2)), 0);
    ASSERT_EQ(m->append_filemark(), 0);
    ASSERT_EQ(append(*m, pattern(1, 3)), 0);
    ASSERT_EQ(m->append_filemark(), 0);
    ASSERT_EQ(m->append_filemark(), 0);
    ASSERT_EQ(m->sync(), 0);
  }
  std::string err;
  auto m = TapeMedia::open(path, true, &err);
  ASSERT_TRUE(m) << err;
  EXPECT_TRUE(m->summary().clean);
  EXPECT_EQ(m->summary().barcode, "A00001L8");
  ASSERT_EQ(m->object_count(), 6u);
  EXPECT_EQ(m->data_block_count(), 3u);
  EXPECT_EQ(m->filemark_count(), 3u);
  EXPECT_EQ(read(*m, 0), pattern(100, 1));
  EXPECT_EQ(read(*m, 1), pattern(70000, 2));
  EXPECT_TRUE(m->is_filemark(2));
  EXPECT_EQ(read(*m, 3), pattern(1, 3));
  EXPECT_TRUE(m->is_filemark(4) && m->is_filemark(5));
  EXPECT_EQ(m->filemarks_before(3), 1u);
  EXPECT_EQ(m->filemark_at(1), 4u);
  // A short read returns the first bytes.
  std::vector<uint8_t> head(10);
  iovec v{head.data(), head.size()};
  EXPECT_EQ(m->read_block(1, {&v, 1}, 10), 0);
  auto whole = pattern(70000, 2);
  EXPECT_EQ(head, std::vector<uint8_t>(whole.begin(), whole.begin() + 10));
  // Read-only opens do not write.
  EXPECT_EQ(append(*m, pattern(5, 5)), -EROFS);
}

TEST(TapeMedia, WriteProtectFlagIsStored) {
  TempDir dir;
  std::string err;
  MediaCreateParams p{"WP0001", 1 << 20, true};
  ASSERT_TRUE(TapeMedia::create(dir.file("w"), p, &err));
  auto m = TapeMedia::open(dir.file("w"), true, &err);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->header_write_protect());
}

TEST(TapeMedia, TruncateDropsEverythingAfter) {
  TempDir dir;
  std::string path = dir.file("t");
  {
    auto m = create_open(path);
    for (int i = 0; i < 5; ++i) ASSERT_EQ(append(*m, pattern(1000, uint8_t(i))), 0);
    ASSERT_EQ(m->sync(), 0);
    ASSERT_EQ(m->truncate(2), 0);
    ASSERT_EQ(append(*m, pattern(300, 9)), 0);
    ASSERT_EQ(m->sync(), 0);
  }
  std::string err;
  auto m = TapeMedia::open(path, true, &err);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->object_count(), 3u);
  EXPECT_EQ(read(*m, 1), pattern(1000, 1));
  EXPECT_EQ(read(*m, 2), pattern(300, 9));
}

// A crash while the last record was being written: cut the file at every
// offset inside that record (and its EOD marker). Reopening keeps all
// earlier blocks and filemarks and puts EOD after them.
TEST(TapeMedia, CrashInsideLastRecordRecoversEod) {
  TempDir dir;
  std::string golden = dir.file("golden");
  uint64_t last_start = 0, full = 0;
  {
    auto m = create_open(golden);
    ASSERT_EQ(append(*m, pattern(4000, 1)), 0);
    ASSERT_EQ(m->append_filemark(), 0);
    ASSERT_EQ(append(*m, pattern(3000, 2)), 0);
    ASSERT_EQ(m->sync(), 0);  // checkpoint: everything so far is durable
    ASSERT_EQ(m->append_filemark(), 0);
    last_start = MediaFormat::kDataOffset + m->used_bytes();
    ASSERT_EQ(append(*m, pattern(5000, 3)), 0);  // the record being written
    full = MediaFormat::kDataOffset + m->used_bytes();
  }  // no sync(): as if the process died here
  std::vector<uint8_t> image(file_size(golden));
  {
    int fd = ::open(golden.c_str(), O_RDONLY);
    ASSERT_EQ(::pread(fd, image.data(), image.size(), 0), ssize_t(image.size()));
    ::close(fd);
  }
  std::vector<uint64_t> cuts;
  for (uint64_t off = last_start; off < full; off += (off - last_start < 64 ? 1 : 97))
    cuts.push_back(off);
  cuts.push_back(full - 1);
  for (uint64_t cut : cuts) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    std::string path = dir.file("crash");
    int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
    ASSERT_EQ(::write(fd, image.data(), cut), ssize_t(cut));  // the torn file
    ::close(fd);
    std::string err;
    {
      auto m = TapeMedia::open(path, false, &err);
      ASSERT_TRUE(m) << err;
      ASSERT_EQ(m->object_count(), 4u);  // block, fm, block, fm
      EXPECT_EQ(read(*m, 0), pattern(4000, 1));
      EXPECT_TRUE(m->is_filemark(1));
      EXPECT_EQ(read(*m, 2), pattern(3000, 2));
      EXPECT_TRUE(m->is_filemark(3));
      // Appending after recovery works and survives another reopen.
      ASSERT_EQ(append(*m, pattern(10, 4)), 0);
      ASSERT_EQ(m->sync(), 0);
    }
    auto m = TapeMedia::open(path, true, &err);
    ASSERT_TRUE(m) << err;
    EXPECT_TRUE(m->summary().clean);
    ASSERT_EQ(m->object_count(), 5u);
    EXPECT_EQ(read(*m, 4), pattern(10, 4));
    ::unlink(path.c_str());
  }
}

// Garbage in the payload of an unsynced record (data never reached the disk
// although its header did) ends the chain before it.
TEST(TapeMedia, UnsyncedRecordWithBadPayloadIsDropped) {
  TempDir dir;
  std::string path = dir.file("t");
  uint64_t last = 0;
  {
    auto m = create_open(path);
    ASSERT_EQ(append(*m, pattern(500, 1)), 0);
    ASSERT_EQ(m->sync(), 0);
    last = MediaFormat::kDataOffset + m->used_bytes();
    ASSERT_EQ(append(*m, pattern(500, 2)), 0);
  }
  int fd = ::open(path.c_str(), O_WRONLY);
  std::vector<uint8_t> zero(100, 0);
  ASSERT_EQ(::pwrite(fd, zero.data(), zero.size(), off_t(last + 32 + 200)), 100);
  ::close(fd);
  std::string err;
  auto m = TapeMedia::open(path, false, &err);
  ASSERT_TRUE(m) << err;
  EXPECT_EQ(m->object_count(), 1u);
  EXPECT_EQ(file_size(path), last + 32);  // cut and EOD record written
}

// Stale records after a truncation point that was lost (the file kept its
// old tail) must not come back: the epoch check ends the chain.
TEST(TapeMedia, StaleRecordsAfterLostTruncateStayDead) {
  TempDir dir;
  std::string path = dir.file("t");
  std::vector<uint8_t> old_tail;
  uint64_t cut = 0;
  {
    auto m = create_open(path);
    for (int i = 0; i < 4; ++i) ASSERT_EQ(append(*m, pattern(200, uint8_t(i))), 0);
    ASSERT_EQ(m->sync(), 0);
    cut = MediaFormat::kDataOffset + m->bytes_before(1);
  }
  // Save the tail as it was, then rewrite block 1 with the same size.
  {
    int fd = ::open(path.c_str(), O_RDONLY);
    old_tail.resize(file_size(path) - cut);
    ASSERT_EQ(::pread(fd, old_tail.data(), old_tail.size(), off_t(cut)), ssize_t(old_tail.size()));
    ::close(fd);
    std::string err;
    auto m = TapeMedia::open(path, false, &err);
    ASSERT_TRUE(m);
    ASSERT_EQ(m->truncate(1), 0);
    ASSERT_EQ(append(*m, pattern(200, 7)), 0);
    ASSERT_EQ(m->sync(), 0);
  }
  // Simulate the lost truncation: old records 2, 3 reappear after the new 1.
  {
    int fd = ::open(path.c_str(), O_WRONLY);
    size_t rec = 32 + 200;
    ASSERT_EQ(::pwrite(fd, old_tail.data() + rec, old_tail.size() - rec, off_t(cut + rec)),
              ssize_t(old_tail.size() - rec));
    ::close(fd);
  }
  std::string err;
  auto m = TapeMedia::open(path, true, &err);
  ASSERT_TRUE(m) << err;
  EXPECT_EQ(m->object_count(), 2u);
  EXPECT_EQ(read(*m, 1), pattern(200, 7));
}

TEST(TapeMedia, CapacityAndEarlyWarning) {
  TempDir dir;
  auto m = create_open(dir.file("t"), 64 << 10);  // EW = 4 KiB before the end
  EXPECT_EQ(m->early_warning_size(), 4096u);
  EXPECT_TRUE(m->fits(60000));
  EXPECT_FALSE(m->fits(64 << 10));
  ASSERT_EQ(append(*m, pattern(58000, 1)), 0);
  EXPECT_FALSE(m->past_early_warning(1));
  ASSERT_EQ(append(*m, pattern(3500, 1)), 0);
  EXPECT_TRUE(m->past_early_warning(2));
  EXPECT_FALSE(m->past_early_warning(0));
}

TEST(TapeMedia, SecondWriterIsRefused) {
  TempDir dir;
  auto m = create_open(dir.file("t"));
  std::string err;
  EXPECT_FALSE(TapeMedia::open(dir.file("t"), false, &err));
  EXPECT_NE(err.find("in use"), std::string::npos) << err;
}

}  // namespace
}  // namespace nexus::tape::test
