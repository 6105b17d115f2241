// The file backend through io_uring (inline, through a reactor) and the
// synchronous fallback; thin provisioning on a sparse file; injected I/O
// errors; write-through when WCE=0 or FUA.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <thread>

#include "cmd_helpers.h"
#include "file_backend.h"
#include "null_backend.h"
#include "ram_backend.h"

namespace nexus::disk::test {
namespace {

std::map<std::string, std::string> file_opts(const std::string& path, uint32_t bs,
                                             const std::string& size = "16M") {
  return {{"backend", "file"},
          {"path", path},
          {"create", "true"},
          {"size", size},
          {"block_size", std::to_string(bs)}};
}

void round_trip(IDevice* dev, uint32_t bs, FakeReactor* r = nullptr) {
  std::vector<uint8_t> a(size_t(8) * bs);
  fill_pattern(a, 31);
  write_blocks(dev, 17, a, bs, r);
  EXPECT_EQ(read_blocks(dev, 17, 8, bs, r), a);
  // FUA write and SYNCHRONIZE CACHE through the same path.
  auto f = exec(dev, cdb10(op::kWrite10, 3, 1, 0x08), bs, &a, r);
  EXPECT_GOOD(f);
  EXPECT_GOOD(exec(dev, cdb10(op::kSyncCache10, 0, 0), 0, nullptr, r));
  std::vector<uint8_t> first(a.begin(), a.begin() + bs);
  EXPECT_EQ(read_blocks(dev, 3, 1, bs, r), first);
}

class FileBackendTest : public ::testing::TestWithParam<uint32_t> {
 protected:
  void TearDown() override {
    UringEngine::set_disabled(false);
    UringEngine::set_inline_completion(true);
  }
  TempDir tmp;
};

INSTANTIATE_TEST_SUITE_P(BlockSizes, FileBackendTest, ::testing::Values(512u, 4096u));

TEST_P(FileBackendTest, IoUringInline) {
  auto d = make_disk(file_opts(tmp.file("a.img"), GetParam()));
  ASSERT_EQ(d->status, Status::ok) << d->options->all_errors();
  round_trip(d->dev.get(), GetParam());
}

TEST_P(FileBackendTest, IoUringDeferredCompletionViaPoll) {
  auto d = make_disk(file_opts(tmp.file("p.img"), GetParam()));
  ASSERT_EQ(d->status, Status::ok);
  UringEngine::set_inline_completion(false);
  uint32_t bs = GetParam();
  std::vector<uint8_t> a(bs, 0x3C);
  FakeCommand w(cdb10(op::kWrite10, 1, 1), bs);
  std::memcpy(w.data().data(), a.data(), bs);
  d->dev->execute(&w);
  EXPECT_FALSE(w.done());  // in flight on the ring
  EXPECT_EQ(UringEngine::in_flight_current_thread(), 1u);
  while (!w.done()) UringEngine::poll_current_thread(true);
  EXPECT_GOOD(&w);
  EXPECT_EQ(read_blocks(d->dev.get(), 1, 1, bs), a);
}

TEST_P(FileBackendTest, IoUringThroughReactor) {
  // A fresh thread: its ring gets registered on this thread's fake reactor.
  uint32_t bs = GetParam();
  std::string path = tmp.file("r.img");
  bool ok = false;
  size_t watches = 0;
  std::thread t([&] {
    FakeReactor reactor;
    auto d = make_disk(file_opts(path, bs));
    ASSERT_EQ(d->status, Status::ok);
    d->host.reactor_ = &reactor;
    std::vector<uint8_t> a(size_t(4) * bs);
    fill_pattern(a, 5);
    FakeCommand w(cdb10(op::kWrite10, 9, 4), 4 * bs, /*nexus=*/1, /*segments=*/3);
    std::memcpy(w.data().data(), a.data(), a.size());
    d->dev->execute(&w);
    EXPECT_FALSE(w.done());  // completes from the reactor's eventfd callback
    for (int i = 0; i < 100 && !w.done(); ++i) reactor.run_once(100);
    EXPECT_GOOD(&w);
    round_trip(d->dev.get(), bs, &reactor);
    EXPECT_EQ(read_blocks(d->dev.get(), 9, 4, bs, &reactor), a);
    watches = reactor.watches.size();
    ok = !::testing::Test::HasFailure();
    d.reset();
  });
  t.join();
  EXPECT_TRUE(ok);
  EXPECT_EQ(watches, 1u);
}

TEST_P(FileBackendTest, SynchronousFallbackWhenIoUringIsUnavailable) {
  UringEngine::set_disabled(true);
  auto d = make_disk(file_opts(tmp.file("s.img"), GetParam()));
  ASSERT_EQ(d->status, Status::ok);
  round_trip(d->dev.get(), GetParam());
  bool warned = false;
  for (auto& l : d->host.logs) warned |= l.find("io_uring") != std::string::npos;
  // The warning is logged once per process; it may have come earlier.
  (void)warned;
  EXPECT_EQ(UringEngine::in_flight_current_thread(), 0u);
}

TEST_P(FileBackendTest, DirectIoFallsBackWhenUnaligned) {
  auto o = file_opts(tmp.file("d.img"), GetParam());
  o["direct"] = "true";
  auto d = make_disk(o);
  ASSERT_EQ(d->status, Status::ok) << d->options->all_errors();
  // Vectors from std::vector are not page aligned: the buffered fd serves them.
  round_trip(d->dev.get(), GetParam());
}

TEST_P(FileBackendTest, GetLbaStatusAfterUnmapOnSparseFile) {
  uint32_t bs = GetParam();
  auto d = make_disk(file_opts(tmp.file("t.img"), bs, "8M"));
  ASSERT_EQ(d->status, Status::ok);
  ASSERT_TRUE(d->disk()->thin());
  IDevice* dev = d->dev.get();
  uint64_t nb = d->disk()->num_blocks();
  // Fill the first 1 MiB, then unmap 256 KiB in its middle.
  uint32_t mib = (1u << 20) / bs, q = (256u << 10) / bs;
  std::vector<uint8_t> blk(bs, 0x77);
  EXPECT_GOOD(exec(dev, cdb16(op::kWriteSame16, 0, mib), bs, &blk));
  std::vector<uint8_t> list(24, 0);
  put_be16(&list[0], 22);
  put_be16(&list[2], 16);
  put_be64(&list[8], q);
  put_be32(&list[16], q);
  EXPECT_GOOD(exec(dev, cdb10(op::kUnmap, 0, 24), 24, &list));

  auto c = exec(dev, cdb16(op::kServiceActionIn16, 0, 8 + 16 * 8, op::kSaGetLbaStatus), 8 + 16 * 8);
  EXPECT_GOOD(c);
  const uint8_t* p = c->data().data();
  ASSERT_EQ(get_be32(p), 4u + 16 * 4) << "expected 4 descriptors";
  struct Ext {
    uint64_t lba;
    uint32_t n;
    uint8_t status;
  } want[] = {{0, q, 0}, {q, q, 1}, {2ull * q, mib - 2 * q, 0}, {mib, uint32_t(nb - mib), 1}};
  for (int i = 0; i < 4; ++i) {
    const uint8_t* e = p + 8 + 16 * i;
    EXPECT_EQ(get_be64(e), want[i].lba) << i;
    EXPECT_EQ(get_be32(e + 8), want[i].n) << i;
    EXPECT_EQ(e[12] & 0x0F, want[i].status) << i;
  }
  // Unmapped blocks read back as zeros (LBPRZ).
  auto z = read_blocks(dev, q, 1, bs);
  EXPECT_TRUE(std::all_of(z.begin(), z.end(), [](uint8_t b) { return b == 0; }));
  // Starting inside the hole; allocation length for one descriptor only.
  auto one = exec(dev, cdb16(op::kServiceActionIn16, q + 1, 24, op::kSaGetLbaStatus), 24);
  EXPECT_GOOD(one);
  EXPECT_EQ(get_be64(one->data().data() + 8), q + 1);
  EXPECT_EQ(get_be32(one->data().data() + 16), q - 1);
  EXPECT_EQ(one->data()[20] & 0x0F, 1);
  // WRITE SAME with UNMAP deallocates too.
  std::vector<uint8_t> zero(bs, 0);
  EXPECT_GOOD(exec(dev, cdb16(op::kWriteSame16, 0, q, 0x08), bs, &zero));
  auto again = exec(dev, cdb16(op::kServiceActionIn16, 0, 24, op::kSaGetLbaStatus), 24);
  EXPECT_EQ(again->data()[20] & 0x0F, 1);
  EXPECT_EQ(get_be32(again->data().data() + 16), 2 * q);
}

// A backend that fails on demand and records the write-through flag.
class SpyBackend final : public Backend {
 public:
  explicit SpyBackend(uint64_t size) : ram_(RamBackend::create(size, &err_)) {}
  const char* kind() const noexcept override { return "spy"; }
  uint64_t size() const noexcept override { return ram_->size(); }
  uint32_t physical_block_size() const noexcept override { return 4096; }
  bool can_deallocate() const noexcept override { return true; }
  bool deallocated_reads_zero() const noexcept override { return true; }
  void submit(IoRequest* req) noexcept override {
    if (req->kind == IoKind::write) last_sync = req->sync;
    if (req->kind == IoKind::flush) ++flushes;
    int64_t e = req->kind == IoKind::read    ? read_error
                : req->kind == IoKind::write ? write_error
                                             : flush_error;
    if (e) return req->cb->io_done(e);
    ram_->submit(req);
  }
  int deallocate(uint64_t o, uint64_t l) noexcept override { return ram_->deallocate(o, l); }
  int flush_now() noexcept override {
    ++flushes;
    return 0;
  }
  int extent_status(uint64_t o, uint64_t l, bool* m, uint64_t* e) noexcept override {
    return ram_->extent_status(o, l, m, e);
  }

  int64_t read_error = 0, write_error = 0, flush_error = 0;
  bool last_sync = false;
  int flushes = 0;

 private:
  std::string err_;
  std::unique_ptr<RamBackend> ram_;
};

struct SpyDisk {
  FakeHost host;
  SpyBackend* spy = nullptr;
  DevicePtr dev;
  explicit SpyDisk(uint32_t bs = 512) {
    DiskOptions o;
    o.backend = BackendKind::ram;
    o.size = 1 << 20;
    o.block_size = bs;
    auto b = std::make_unique<SpyBackend>(o.size);
    spy = b.get();
    dev.reset(new DiskDevice(&host, o, std::move(b)));
  }
};

TEST(DiskErrors, BackendIoErrorsBecomeMediumError) {
  SpyDisk s;
  std::vector<uint8_t> blk(512, 1);
  s.spy->read_error = -EIO;
  auto r = exec(s.dev.get(), cdb10(op::kRead10, 7, 1), 512);
  expect_sense(*r, SenseKey::medium_error, 0x11, 0x00);
  EXPECT_TRUE(r->sense().flags & SenseFlags::info_valid);
  EXPECT_EQ(r->sense().information, 7u);
  // VERIFY and COMPARE AND WRITE read too.
  expect_sense(*exec(s.dev.get(), cdb10(op::kVerify10, 0, 1), 0), SenseKey::medium_error, 0x11, 0);
  s.spy->read_error = 0;
  s.spy->write_error = -EIO;
  expect_sense(*exec(s.dev.get(), cdb10(op::kWrite10, 0, 1), 512, &blk), SenseKey::medium_error,
               0x0C, 0x00);
  expect_sense(*exec(s.dev.get(), cdb10(op::kWriteSame10, 0, 4), 512, &blk), SenseKey::medium_error,
               0x0C, 0x00);
  // Out of space on a thin LU (SBC-3 4.7.3.7).
  s.spy->write_error = -ENOSPC;
  expect_sense(*exec(s.dev.get(), cdb10(op::kWrite10, 0, 1), 512, &blk), SenseKey::data_protect,
               0x27, 0x07);
  s.spy->write_error = 0;
  s.spy->flush_error = -EIO;
  expect_sense(*exec(s.dev.get(), cdb10(op::kSyncCache10, 0, 0), 0), SenseKey::medium_error, 0x0C,
               0);
  // The device still works afterwards.
  s.spy->flush_error = 0;
  EXPECT_GOOD(exec(s.dev.get(), cdb10(op::kWrite10, 0, 1), 512, &blk));
}

TEST(DiskWriteCache, WceZeroMakesEveryWriteWriteThrough) {
  SpyDisk s;
  std::vector<uint8_t> blk(512, 1);
  EXPECT_GOOD(exec(s.dev.get(), cdb10(op::kWrite10, 0, 1), 512, &blk));
  EXPECT_FALSE(s.spy->last_sync);  // write-back by default
  EXPECT_GOOD(exec(s.dev.get(), cdb10(op::kWrite10, 0, 1, 0x08), 512, &blk));
  EXPECT_TRUE(s.spy->last_sync);  // FUA
  EXPECT_GOOD(exec(s.dev.get(), cdb10(op::kWrite10, 0, 1), 512, &blk));
  EXPECT_FALSE(s.spy->last_sync);

  uint8_t page[32];
  uint32_t len = 0;
  ASSERT_EQ(s.dev->mode_page({0x08, 0}, ModePageControl::current, {page, sizeof page}, &len),
            Status::ok);
  page[2] &= ~0x04;  // WCE=0
  SenseInfo sense{};
  int flushes = s.spy->flushes;
  ASSERT_EQ(s.dev->mode_select_page({0x08, 0}, {page, len}, &sense), Status::ok);
  EXPECT_GT(s.spy->flushes, flushes);  // the write-back cache was flushed
  EXPECT_GOOD(exec(s.dev.get(), cdb10(op::kWrite10, 0, 1), 512, &blk));
  EXPECT_TRUE(s.spy->last_sync);
  EXPECT_GOOD(exec(s.dev.get(), cdb16(op::kWriteSame16, 0, 2), 512, &blk));
  EXPECT_TRUE(s.spy->last_sync);

  page[2] |= 0x04;  // back to write-back
  ASSERT_EQ(s.dev->mode_select_page({0x08, 0}, {page, len}, &sense), Status::ok);
  EXPECT_GOOD(exec(s.dev.get(), cdb10(op::kWrite10, 0, 1), 512, &blk));
  EXPECT_FALSE(s.spy->last_sync);
}

TEST(DiskCompareAndWrite, IsAtomicAgainstOverlappingWrites) {
  // With completions deferred, a WRITE to the range of an in-flight COMPARE
  // AND WRITE must wait for it; a write elsewhere must not.
  TempDir tmp;
  auto d = make_disk(file_opts(tmp.file("c.img"), 512));
  ASSERT_EQ(d->status, Status::ok);
  IDevice* dev = d->dev.get();
  std::vector<uint8_t> old(512, 0x11), neu(512, 0x22), other(512, 0x33);
  write_blocks(dev, 10, old, 512);

  UringEngine::set_inline_completion(false);
  std::vector<uint8_t> buf(old);
  buf.insert(buf.end(), neu.begin(), neu.end());
  auto caw_cdb = cdb16(op::kCompareAndWrite, 10, 0);
  caw_cdb[13] = 1;
  FakeCommand caw(caw_cdb, 1024);
  std::memcpy(caw.data().data(), buf.data(), buf.size());
  FakeCommand w(cdb10(op::kWrite10, 10, 1), 512);
  std::memcpy(w.data().data(), other.data(), 512);
  FakeCommand far(cdb10(op::kWrite10, 100, 1), 512);
  std::memcpy(far.data().data(), other.data(), 512);

  dev->execute(&caw);
  dev->execute(&w);
  dev->execute(&far);
  EXPECT_EQ(d->disk()->range_lock().waiting_count(), 1u);  // w waits for caw
  EXPECT_EQ(UringEngine::in_flight_current_thread(), 2u);  // caw's read, far's write
  while (!caw.done() || !w.done() || !far.done()) UringEngine::poll_current_thread(true);
  UringEngine::set_inline_completion(true);
  EXPECT_GOOD(&caw);
  EXPECT_GOOD(&w);
  EXPECT_GOOD(&far);
  // The later WRITE landed after the COMPARE AND WRITE.
  EXPECT_EQ(read_blocks(dev, 10, 1, 512), other);
}

}  // namespace
}  // namespace nexus::disk::test
