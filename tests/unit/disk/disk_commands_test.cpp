// SBC-3 command behaviour of the disk handler on the ram backend, for 512-
// and 4096-byte logical blocks.
#include <gtest/gtest.h>

#include "cmd_helpers.h"

namespace nexus::disk::test {
namespace {

class DiskCommands : public ::testing::TestWithParam<uint32_t> {
 protected:
  void SetUp() override {
    bs = GetParam();
    d = make_disk({{"backend", "ram"}, {"size", "4M"}, {"block_size", std::to_string(bs)}});
    ASSERT_EQ(d->status, Status::ok) << d->options->all_errors();
    nb = (4u << 20) / bs;
  }
  IDevice* dev() { return d->dev.get(); }
  std::vector<uint8_t> pattern(uint32_t blocks, uint8_t seed) {
    std::vector<uint8_t> v(size_t(blocks) * bs);
    fill_pattern(v, seed);
    return v;
  }

  std::unique_ptr<Disk> d;
  uint32_t bs = 512;
  uint64_t nb = 0;
};

INSTANTIATE_TEST_SUITE_P(BlockSizes, DiskCommands, ::testing::Values(512u, 4096u));

TEST_P(DiskCommands, WriteThenReadAllSizes) {
  auto a = pattern(3, 1);
  auto w10 = exec(dev(), cdb10(op::kWrite10, 10, 3), 3 * bs, &a);
  EXPECT_GOOD(w10);
  auto r12 = exec(dev(), cdb12(op::kRead12, 10, 3), 3 * bs);
  EXPECT_GOOD(r12);
  EXPECT_EQ(r12->data(), a);

  auto b = pattern(2, 9);
  auto w6 = exec(dev(), cdb6(op::kWrite6, 20, 2), 2 * bs, &b);
  EXPECT_GOOD(w6);
  auto r10 = exec(dev(), cdb10(op::kRead10, 20, 2), 2 * bs);
  EXPECT_EQ(r10->data(), b);

  auto c = pattern(4, 77);
  auto w12 = exec(dev(), cdb12(op::kWrite12, nb - 4, 4), 4 * bs, &c);
  EXPECT_GOOD(w12);
  EXPECT_EQ(read_blocks(dev(), nb - 4, 4, bs), c);
  auto r6 = exec(dev(), cdb6(op::kRead6, 20, 2), 2 * bs);
  EXPECT_EQ(r6->data(), b);
}

TEST_P(DiskCommands, Read6LengthZeroMeans256Blocks) {
  auto c = exec(dev(), cdb6(op::kRead6, 0, 0), 256 * bs);
  EXPECT_GOOD(c);
  EXPECT_EQ(c->transfer(), 256 * bs);
}

TEST_P(DiskCommands, LbaOutOfRange) {
  expect_sense(*exec(dev(), cdb10(op::kRead10, nb - 1, 2), 2 * bs), SenseKey::illegal_request, 0x21,
               0x00);
  expect_sense(*exec(dev(), cdb16(op::kWrite16, ~0ull, 1), bs), SenseKey::illegal_request, 0x21,
               0x00);
  // Zero blocks: at the capacity is fine, past it is not (SBC-3 4.5).
  EXPECT_GOOD(exec(dev(), cdb10(op::kRead10, nb, 0), 0));
  expect_sense(*exec(dev(), cdb10(op::kRead10, nb + 1, 0), 0), SenseKey::illegal_request, 0x21,
               0x00);
  expect_sense(*exec(dev(), cdb16(op::kVerify16, nb, 1), 0), SenseKey::illegal_request, 0x21, 0x00);
  expect_sense(*exec(dev(), cdb10(op::kSyncCache10, nb - 1, 2), 0), SenseKey::illegal_request, 0x21,
               0x00);
  expect_sense(*exec(dev(), cdb10(op::kPreFetch10, nb, 1), 0), SenseKey::illegal_request, 0x21,
               0x00);
}

TEST_P(DiskCommands, TransferBeyondMaximumIsInvalidField) {
  uint32_t max = d->disk()->max_transfer_blocks();
  auto c = exec(dev(), cdb16(op::kRead16, 0, max + 1), 0);
  expect_sense(*c, SenseKey::illegal_request, 0x24, 0x00);
  EXPECT_EQ(c->sense().field_pointer, 10);
}

TEST_P(DiskCommands, ShortDataOutWritesOnlyWholeBlocksThatArrived) {
  auto before = pattern(2, 3);
  write_blocks(dev(), 40, before, bs);
  auto data = pattern(1, 99);
  // WRITE(10) of 2 blocks with only one block of Data-Out (iSCSI EDTL).
  EXPECT_GOOD(exec(dev(), cdb10(op::kWrite10, 40, 2), bs, &data));
  auto after = read_blocks(dev(), 40, 2, bs);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), after.begin()));
  EXPECT_TRUE(std::equal(before.begin() + bs, before.end(), after.begin() + bs));
}

TEST_P(DiskCommands, ReadCapacity10And16) {
  auto c = exec(dev(), cdb10(op::kReadCapacity10, 0, 0), 8);
  EXPECT_GOOD(c);
  EXPECT_EQ(get_be32(c->data().data()), nb - 1);
  EXPECT_EQ(get_be32(c->data().data() + 4), bs);
  // PMI=0 with a non-zero LBA is invalid (SBC-3 5.20).
  expect_sense(*exec(dev(), cdb10(op::kReadCapacity10, 5, 0), 8), SenseKey::illegal_request, 0x24,
               0);

  auto rc = cdb16(op::kServiceActionIn16, 0, 32, op::kSaReadCapacity16);
  auto c16 = exec(dev(), rc, 32);
  EXPECT_GOOD(c16);
  const uint8_t* p = c16->data().data();
  EXPECT_EQ(get_be64(p), nb - 1);
  EXPECT_EQ(get_be32(p + 8), bs);
  EXPECT_EQ(p[13] & 0x0F, bs == 512 ? 3 : 0);  // 4096-byte physical blocks
  EXPECT_EQ(p[14] & 0xC0, 0xC0);               // LBPME, LBPRZ
  EXPECT_EQ(c16->transfer(), 32u);

  // ALLOCATION LENGTH 12 truncates.
  auto c12 = exec(dev(), cdb16(op::kServiceActionIn16, 0, 12, op::kSaReadCapacity16), 12);
  EXPECT_GOOD(c12);
  EXPECT_EQ(c12->transfer(), 12u);
  EXPECT_EQ(get_be32(c12->data().data() + 8), bs);
}

TEST_P(DiskCommands, VerifyBytchkModes) {
  auto a = pattern(4, 5);
  write_blocks(dev(), 100, a, bs);
  // BYTCHK=0: medium check only.
  EXPECT_GOOD(exec(dev(), cdb10(op::kVerify10, 100, 4, 0x00), 0));
  // BYTCHK=1: equal data.
  EXPECT_GOOD(exec(dev(), cdb10(op::kVerify10, 100, 4, 0x02), 4 * bs, &a));
  // BYTCHK=1: one byte differs -> MISCOMPARE at its offset.
  auto b = a;
  b[bs + 17] ^= 0xFF;
  auto m = exec(dev(), cdb16(op::kVerify16, 100, 4, 0x02), 4 * bs, &b);
  expect_sense(*m, SenseKey::miscompare, 0x1D, 0x00);
  EXPECT_TRUE(m->sense().flags & SenseFlags::info_valid);
  EXPECT_EQ(m->sense().information, bs + 17);
  // BYTCHK=3: one block compared against every block.
  std::vector<uint8_t> same(size_t(3) * bs, 0x5A);
  write_blocks(dev(), 200, same, bs);
  std::vector<uint8_t> one(bs, 0x5A);
  EXPECT_GOOD(exec(dev(), cdb10(op::kVerify10, 200, 3, 0x06), bs, &one));
  one[3] = 0;
  auto m3 = exec(dev(), cdb10(op::kVerify10, 200, 3, 0x06), bs, &one);
  expect_sense(*m3, SenseKey::miscompare, 0x1D, 0x00);
  EXPECT_EQ(m3->sense().information, 3u);
  // BYTCHK=2 is reserved: rejected when the core asks for the data length.
  uint32_t len = 0;
  SenseInfo s{};
  auto bad = cdb10(op::kVerify10, 0, 1, 0x04);
  EXPECT_FALSE(dev()->data_length({bad.data(), bad.size()}, &len, &s));
  EXPECT_EQ(s.asc, 0x24);
  auto ok = cdb10(op::kVerify10, 0, 3, 0x06);
  ASSERT_TRUE(dev()->data_length({ok.data(), ok.size()}, &len, &s));
  EXPECT_EQ(len, bs);
}

TEST_P(DiskCommands, WriteAndVerify) {
  auto a = pattern(2, 8);
  EXPECT_GOOD(exec(dev(), cdb10(op::kWriteAndVerify10, 300, 2, 0x02), 2 * bs, &a));
  EXPECT_EQ(read_blocks(dev(), 300, 2, bs), a);
  auto b = pattern(1, 18);
  EXPECT_GOOD(exec(dev(), cdb16(op::kWriteAndVerify16, 302, 1), bs, &b));
  EXPECT_EQ(read_blocks(dev(), 302, 1, bs), b);
}

TEST_P(DiskCommands, Verify12AndWriteAndVerify12) {
  auto a = pattern(3, 21);
  EXPECT_GOOD(exec(dev(), cdb12(op::kWriteAndVerify12, 400, 3, 0x02), 3 * bs, &a));
  EXPECT_EQ(read_blocks(dev(), 400, 3, bs), a);
  EXPECT_GOOD(exec(dev(), cdb12(op::kVerify12, 400, 3, 0x00), 0));
  EXPECT_GOOD(exec(dev(), cdb12(op::kVerify12, 400, 3, 0x02), 3 * bs, &a));
  auto b = a;
  b[2 * bs + 5] ^= 0x01;
  auto m = exec(dev(), cdb12(op::kVerify12, 400, 3, 0x02), 3 * bs, &b);
  expect_sense(*m, SenseKey::miscompare, 0x1D, 0x00);
  EXPECT_EQ(m->sense().information, 2 * bs + 5);
  expect_sense(*exec(dev(), cdb12(op::kVerify12, nb - 1, 2), 0), SenseKey::illegal_request, 0x21,
               0x00);
  // The Data-Out length the core asks for follows BYTCHK and VERIFICATION LENGTH.
  uint32_t len = 0;
  SenseInfo s{};
  auto v = cdb12(op::kVerify12, 0, 3, 0x02);
  ASSERT_TRUE(dev()->data_length({v.data(), v.size()}, &len, &s));
  EXPECT_EQ(len, 3 * bs);
  auto huge = cdb12(op::kVerify12, 0, d->disk()->max_transfer_blocks() + 1, 0x02);
  EXPECT_FALSE(dev()->data_length({huge.data(), huge.size()}, &len, &s));
  EXPECT_EQ(s.field_pointer, 6);
}

TEST_P(DiskCommands, OrWriteOrsTheDataOutIntoTheBlocks) {
  std::vector<uint8_t> a(size_t(2) * bs, 0x0F), b(size_t(2) * bs, 0x30);
  b[bs + 1] = 0xC0;
  write_blocks(dev(), 500, a, bs);
  EXPECT_GOOD(exec(dev(), cdb16(op::kOrWrite16, 500, 2, 0x08), 2 * bs, &b));  // FUA
  auto got = read_blocks(dev(), 500, 2, bs);
  EXPECT_EQ(got[0], 0x3F);
  EXPECT_EQ(got[bs + 1], 0xCF);
  EXPECT_EQ(got[2 * bs - 1], 0x3F);
  EXPECT_GOOD(exec(dev(), cdb16(op::kOrWrite16, 500, 0), 0));
  expect_sense(*exec(dev(), cdb16(op::kOrWrite16, nb - 1, 2), 2 * bs, &b),
               SenseKey::illegal_request, 0x21, 0x00);
}

TEST_P(DiskCommands, ReadDefectDataReportsEmptyLists) {
  // READ DEFECT DATA(10): REQ_PLIST|REQ_GLIST, format 101b, allocation length 32.
  std::vector<uint8_t> c10 = {op::kReadDefectData10, 0, 0x1D, 0, 0, 0, 0, 0, 32, 0};
  auto r10 = exec(dev(), c10, 32);
  EXPECT_GOOD(r10);
  ASSERT_EQ(r10->transfer(), 4u);
  EXPECT_EQ(r10->data()[1], 0x1D);            // PLISTV, GLISTV, format echoed
  EXPECT_EQ(get_be16(r10->data().data() + 2), 0);  // DEFECT LIST LENGTH
  // READ DEFECT DATA(12): an 8-byte header; a 2-byte allocation truncates it.
  std::vector<uint8_t> c12 = {op::kReadDefectData12, 0x00, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0};
  auto r12 = exec(dev(), c12, 32);
  EXPECT_GOOD(r12);
  ASSERT_EQ(r12->transfer(), 8u);
  EXPECT_EQ(get_be32(r12->data().data() + 4), 0u);
  EXPECT_EQ(exec(dev(), c12, 2)->transfer(), 2u);
  // DEFECT LIST FORMAT 111b is reserved.
  c10[2] = 0x07;
  auto bad = exec(dev(), c10, 32);
  expect_sense(*bad, SenseKey::illegal_request, 0x24, 0x00);
  EXPECT_EQ(bad->sense().field_pointer, 2);
}

TEST_P(DiskCommands, CompareAndWrite) {
  auto old = pattern(2, 1), neu = pattern(2, 2);
  write_blocks(dev(), 50, old, bs);
  std::vector<uint8_t> buf(old);
  buf.insert(buf.end(), neu.begin(), neu.end());
  auto caw = cdb16(op::kCompareAndWrite, 50, 0);
  caw[10] = caw[11] = caw[12] = 0;
  caw[13] = 2;
  EXPECT_GOOD(exec(dev(), caw, 4 * bs, &buf));
  EXPECT_EQ(read_blocks(dev(), 50, 2, bs), neu);

  // Verify data no longer matches (it's `old`): MISCOMPARE, nothing written.
  auto m = exec(dev(), caw, 4 * bs, &buf);
  expect_sense(*m, SenseKey::miscompare, 0x1D, 0x00);
  size_t first = 0;
  while (old[first] == neu[first]) ++first;
  EXPECT_EQ(m->sense().information, first);
  EXPECT_EQ(read_blocks(dev(), 50, 2, bs), neu);

  // Beyond the end, and more blocks than the Block Limits page allows.
  auto oob = caw;
  put_be64(&oob[2], nb - 1);
  expect_sense(*exec(dev(), oob, 4 * bs, &buf), SenseKey::illegal_request, 0x21, 0);
  auto big = caw;
  big[13] = 255;
  if (d->disk()->max_transfer_blocks() / 2 < 255)
    expect_sense(*exec(dev(), big, 0), SenseKey::illegal_request, 0x24, 0);
}

TEST_P(DiskCommands, WriteSame) {
  std::vector<uint8_t> blk(bs);
  fill_pattern(blk, 42);
  EXPECT_GOOD(exec(dev(), cdb10(op::kWriteSame10, 60, 5), bs, &blk));
  auto got = read_blocks(dev(), 60, 5, bs);
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(std::equal(blk.begin(), blk.end(), got.begin() + i * bs)) << i;
  // WRITE SAME(16) with NDOB writes zeros without Data-Out.
  EXPECT_GOOD(exec(dev(), cdb16(op::kWriteSame16, 61, 2, 0x01), 0));
  auto z = read_blocks(dev(), 61, 2, bs);
  EXPECT_TRUE(std::all_of(z.begin(), z.end(), [](uint8_t b) { return b == 0; }));
  // UNMAP bit with zero data deallocates (reads zero: LBPRZ).
  std::vector<uint8_t> zero(bs, 0);
  EXPECT_GOOD(exec(dev(), cdb16(op::kWriteSame16, 60, 1, 0x08), bs, &zero));
  auto z2 = read_blocks(dev(), 60, 1, bs);
  EXPECT_TRUE(std::all_of(z2.begin(), z2.end(), [](uint8_t b) { return b == 0; }));
  // ANCHOR is not supported; zero blocks with WSNZ=1; beyond the end.
  expect_sense(*exec(dev(), cdb16(op::kWriteSame16, 0, 1, 0x10), bs, &blk),
               SenseKey::illegal_request, 0x24, 0);
  auto zb = exec(dev(), cdb10(op::kWriteSame10, 0, 0), bs, &blk);
  expect_sense(*zb, SenseKey::illegal_request, 0x24, 0);
  EXPECT_EQ(zb->sense().field_pointer, 7);
  expect_sense(*exec(dev(), cdb10(op::kWriteSame10, nb - 1, 2), bs, &blk),
               SenseKey::illegal_request, 0x21, 0);
}

TEST_P(DiskCommands, WriteSameLargerThanOneChunk) {
  std::vector<uint8_t> blk(bs, 0xA5);
  uint32_t n = uint32_t(std::min<uint64_t>(nb, (3u << 20) / bs));  // 3 MiB: several chunks
  EXPECT_GOOD(exec(dev(), cdb16(op::kWriteSame16, 0, n), bs, &blk));
  auto last = read_blocks(dev(), n - 1, 1, bs);
  EXPECT_EQ(last, blk);
}

std::vector<uint8_t> unmap_list(const std::vector<std::pair<uint64_t, uint32_t>>& d) {
  std::vector<uint8_t> p(8 + 16 * d.size(), 0);
  put_be16(&p[0], uint16_t(p.size() - 2));
  put_be16(&p[2], uint16_t(16 * d.size()));
  for (size_t i = 0; i < d.size(); ++i) {
    put_be64(&p[8 + 16 * i], d[i].first);
    put_be32(&p[8 + 16 * i + 8], d[i].second);
  }
  return p;
}

TEST_P(DiskCommands, UnmapParameterListValidation) {
  auto unmap = [&](const std::vector<uint8_t>& list, uint16_t plen) {
    auto c = cdb10(op::kUnmap, 0, plen);
    return exec(dev(), c, std::min<uint32_t>(plen, uint32_t(list.size())), &list);
  };
  auto data = pattern(4, 3);
  write_blocks(dev(), 8, data, bs);
  auto ok = unmap_list({{8, 2}, {11, 1}});
  EXPECT_GOOD(unmap(ok, uint16_t(ok.size())));
  auto after = read_blocks(dev(), 8, 4, bs);
  EXPECT_TRUE(std::all_of(after.begin(), after.begin() + 2 * bs, [](uint8_t b) { return !b; }));
  EXPECT_TRUE(std::equal(data.begin() + 2 * bs, data.begin() + 3 * bs, after.begin() + 2 * bs));

  // No parameter list: nothing to do.
  EXPECT_GOOD(unmap({}, 0));
  // Shorter than the header: PARAMETER LIST LENGTH ERROR.
  expect_sense(*unmap(ok, 4), SenseKey::illegal_request, 0x1A, 0x00);
  // Block descriptor data length beyond the list.
  auto bad = ok;
  put_be16(&bad[2], 64);
  expect_sense(*unmap(bad, uint16_t(bad.size())), SenseKey::illegal_request, 0x26, 0x00);
  // A descriptor past the end of the LU.
  auto oob = unmap_list({{nb - 1, 2}});
  expect_sense(*unmap(oob, uint16_t(oob.size())), SenseKey::illegal_request, 0x21, 0x00);
  // Zero blocks at the capacity is fine.
  auto zero = unmap_list({{nb, 0}});
  EXPECT_GOOD(unmap(zero, uint16_t(zero.size())));
  // More descriptors than MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT.
  std::vector<std::pair<uint64_t, uint32_t>> d257(257, {0, 0});
  auto l257 = unmap_list(d257);
  expect_sense(*unmap(l257, uint16_t(l257.size())), SenseKey::illegal_request, 0x26, 0x00);
  // ANCHOR is not supported.
  auto anc = cdb10(op::kUnmap, 0, uint16_t(ok.size()), 0x01);
  expect_sense(*exec(dev(), anc, uint32_t(ok.size()), &ok), SenseKey::illegal_request, 0x24, 0);
}

TEST_P(DiskCommands, StartStopUnit) {
  auto ssu = [](uint8_t b4) {
    std::vector<uint8_t> c(6, 0);
    c[0] = op::kStartStopUnit;
    c[4] = b4;
    return c;
  };
  EXPECT_GOOD(exec(dev(), ssu(0x00), 0));  // STOP
  DeviceInfo info{};
  info.struct_size = sizeof info;
  dev()->info(&info);
  EXPECT_FALSE(info.flags & DeviceInfoFlags::ready);
  expect_sense(*exec(dev(), cdb10(op::kRead10, 0, 1), bs), SenseKey::not_ready, 0x04, 0x02);
  expect_sense(*exec(dev(), cdb10(op::kSyncCache10, 0, 0), 0), SenseKey::not_ready, 0x04, 0x02);
  // READ CAPACITY still answers.
  EXPECT_GOOD(exec(dev(), cdb10(op::kReadCapacity10, 0, 0), 8));
  // A power condition ignores START: still stopped.
  EXPECT_GOOD(exec(dev(), ssu(0x11), 0));
  expect_sense(*exec(dev(), cdb10(op::kRead10, 0, 1), bs), SenseKey::not_ready, 0x04, 0x02);
  expect_sense(*exec(dev(), ssu(0x51), 0), SenseKey::illegal_request, 0x24, 0);
  EXPECT_GOOD(exec(dev(), ssu(0x01), 0));  // START
  EXPECT_GOOD(exec(dev(), cdb10(op::kRead10, 0, 1), bs));
  // LOEJ on a non-removable disk.
  auto loej = exec(dev(), ssu(0x02), 0);
  expect_sense(*loej, SenseKey::illegal_request, 0x24, 0);
  EXPECT_EQ(loej->sense().field_pointer, 4);
  EXPECT_EQ(loej->sense().field_bit, 1);
  // A reset starts the unit again.
  EXPECT_GOOD(exec(dev(), ssu(0x00), 0));
  dev()->reset(ResetKind::lun_reset);
  EXPECT_GOOD(exec(dev(), cdb10(op::kRead10, 0, 1), bs));
}

TEST_P(DiskCommands, SyncCacheAndPrefetch) {
  EXPECT_GOOD(exec(dev(), cdb10(op::kSyncCache10, 0, 0), 0));
  EXPECT_GOOD(exec(dev(), cdb16(op::kSyncCache16, 10, 10, 0x02), 0));
  EXPECT_GOOD(exec(dev(), cdb10(op::kPreFetch10, 0, 16), 0));
  EXPECT_GOOD(exec(dev(), cdb16(op::kPreFetch16, nb - 1, 1), 0));
}

TEST_P(DiskCommands, GetLbaStatusOnRamReportsMapped) {
  auto c = exec(dev(), cdb16(op::kServiceActionIn16, 0, 24, op::kSaGetLbaStatus), 24);
  EXPECT_GOOD(c);
  const uint8_t* p = c->data().data();
  EXPECT_EQ(get_be32(p), 20u);
  EXPECT_EQ(get_be64(p + 8), 0u);
  EXPECT_EQ(get_be32(p + 16), nb);
  EXPECT_EQ(p[20] & 0x0F, 0);
  expect_sense(*exec(dev(), cdb16(op::kServiceActionIn16, nb, 24, op::kSaGetLbaStatus), 24),
               SenseKey::illegal_request, 0x21, 0);
}

TEST_P(DiskCommands, VpdPages) {
  uint8_t p[64];
  uint32_t len = 0;
  ASSERT_EQ(dev()->vpd_page(0xB0, {p, sizeof p}, &len), Status::ok);
  EXPECT_EQ(len, 64u);
  EXPECT_EQ(p[1], 0xB0);
  EXPECT_EQ(get_be16(p + 2), 0x3C);
  EXPECT_EQ(p[4] & 1, 1);  // WSNZ
  EXPECT_GT(p[5], 0);      // COMPARE AND WRITE supported
  EXPECT_EQ(get_be32(p + 8), d->disk()->max_transfer_blocks());
  EXPECT_EQ(get_be32(p + 20), d->disk()->max_unmap_blocks());
  EXPECT_EQ(get_be32(p + 24), 256u);
  EXPECT_EQ(get_be64(p + 36), d->disk()->max_write_same_blocks());
  ASSERT_EQ(dev()->vpd_page(0xB1, {p, sizeof p}, &len), Status::ok);
  EXPECT_EQ(get_be16(p + 4), 1);  // non-rotating
  ASSERT_EQ(dev()->vpd_page(0xB2, {p, sizeof p}, &len), Status::ok);
  EXPECT_EQ(len, 8u);
  EXPECT_EQ(p[5] & 0xE4, 0xE4);  // LBPU, LBPWS, LBPWS10, LBPRZ
  EXPECT_EQ(p[6] & 7, 2);        // thin
  EXPECT_EQ(dev()->vpd_page(0xB5, {p, sizeof p}, &len), Status::unsupported);
  // A short buffer gets a prefix and the full length.
  uint8_t small[4];
  ASSERT_EQ(dev()->vpd_page(0xB0, {small, sizeof small}, &len), Status::ok);
  EXPECT_EQ(len, 64u);
}

TEST_P(DiskCommands, ModePagesAndWceToggle) {
  const ModePageId* ids = nullptr;
  ASSERT_EQ(dev()->mode_pages(&ids), 2u);
  uint8_t p[32];
  uint32_t len = 0;
  ASSERT_EQ(dev()->mode_page({0x08, 0}, ModePageControl::changeable, {p, sizeof p}, &len),
            Status::ok);
  EXPECT_EQ(len, 20u);
  EXPECT_EQ(p[0], 0x08);
  EXPECT_EQ(p[1], 0x12);
  EXPECT_EQ(p[2], 0x05);  // WCE and RCD changeable
  ASSERT_EQ(dev()->mode_page({0x08, 0}, ModePageControl::current, {p, sizeof p}, &len), Status::ok);
  EXPECT_EQ(p[2] & 0x04, 0x04);  // write-back by default
  uint8_t page[20];
  std::memcpy(page, p, 20);
  page[2] &= ~0x04;
  SenseInfo s{};
  ASSERT_EQ(dev()->mode_select_page({0x08, 0}, {page, 20}, &s), Status::ok);
  DeviceInfo info{};
  info.struct_size = sizeof info;
  dev()->info(&info);
  EXPECT_FALSE(info.flags & DeviceInfoFlags::write_cache);
  ASSERT_EQ(dev()->mode_page({0x08, 0}, ModePageControl::current, {p, sizeof p}, &len), Status::ok);
  EXPECT_EQ(p[2] & 0x04, 0);
  // A non-changeable field: INVALID FIELD IN PARAMETER LIST at that byte.
  page[13] = 4;
  EXPECT_EQ(dev()->mode_select_page({0x08, 0}, {page, 20}, &s), Status::invalid_argument);
  EXPECT_EQ(s.asc, 0x26);
  EXPECT_EQ(s.field_pointer, 13);
  // Wrong page length.
  page[1] = 0x0A;
  EXPECT_EQ(dev()->mode_select_page({0x08, 0}, {page, 20}, &s), Status::invalid_argument);
  // Read-Write Error Recovery: nothing changeable.
  ASSERT_EQ(dev()->mode_page({0x01, 0}, ModePageControl::changeable, {p, sizeof p}, &len),
            Status::ok);
  EXPECT_EQ(len, 12u);
  for (int i = 2; i < 12; ++i) EXPECT_EQ(p[i], 0);
  EXPECT_EQ(dev()->mode_page({0x0A, 0}, ModePageControl::current, {p, sizeof p}, &len),
            Status::unsupported);
}

TEST_P(DiskCommands, BlockDescriptor) {
  BlockDescriptor b{};
  b.struct_size = sizeof b;
  ASSERT_EQ(dev()->block_descriptor(&b), Status::ok);
  EXPECT_EQ(b.num_blocks, nb);
  EXPECT_EQ(b.block_length, bs);
  SenseInfo s{};
  EXPECT_EQ(dev()->set_block_descriptor(&b, &s), Status::ok);
  b.num_blocks = 0;
  EXPECT_EQ(dev()->set_block_descriptor(&b, &s), Status::ok);
  b.block_length = bs == 512 ? 4096 : 512;
  EXPECT_EQ(dev()->set_block_descriptor(&b, &s), Status::invalid_argument);
  EXPECT_EQ(s.asc, 0x26);
}

TEST(DiskBlockLimits, StayWithinWhatInitiatorsAccept) {
  // A large LU, so the byte-based limits alone would exceed these counts.
  auto d = make_disk({{"backend", "null"}, {"size", "16G"}});
  ASSERT_EQ(d->status, Status::ok);
  uint8_t p[64];
  uint32_t len = 0;
  ASSERT_EQ(d->dev->vpd_page(0xB0, {p, sizeof p}, &len), Status::ok);
  // MAXIMUM UNMAP LBA COUNT: libiscsi rejects more than 2^20.
  EXPECT_GT(get_be32(p + 20), 0u);
  EXPECT_LE(get_be32(p + 20), 1u << 20);
  // MAXIMUM WRITE SAME LENGTH below 65536, and a longer WRITE SAME(16) is
  // refused with a pointer to NUMBER OF LOGICAL BLOCKS.
  EXPECT_LT(get_be64(p + 36), 65536u);
  std::vector<uint8_t> zero(512, 0);
  auto c = exec(d->dev.get(), cdb16(op::kWriteSame16, 0, 65536, 0x08), 512, &zero);
  expect_sense(*c, SenseKey::illegal_request, 0x24, 0x00);
  EXPECT_EQ(c->sense().field_pointer, 10);
  EXPECT_GOOD(exec(d->dev.get(), cdb16(op::kWriteSame16, 0, 65535, 0x08), 512, &zero));
}

TEST(DiskUnmap, MoreThanMaximumUnmapLbaCountIsInvalidField) {
  auto d = make_disk({{"backend", "null"}, {"size", "16G"}});
  ASSERT_EQ(d->status, Status::ok);
  uint32_t max = d->disk()->max_unmap_blocks();
  auto list = unmap_list({{0, max / 2 + 1}, {uint64_t(max), max / 2}});
  auto c =
      exec(d->dev.get(), cdb10(op::kUnmap, 0, uint16_t(list.size())), uint32_t(list.size()), &list);
  expect_sense(*c, SenseKey::illegal_request, 0x26, 0x00);
  EXPECT_EQ(c->sense().field_pointer, 8 + 16 + 8);
  auto fine = unmap_list({{0, max / 2}, {uint64_t(max), max / 2}});
  EXPECT_GOOD(exec(d->dev.get(), cdb10(op::kUnmap, 0, uint16_t(fine.size())), uint32_t(fine.size()),
                   &fine));
}

TEST(DiskReadOnly, WritesAreDataProtect) {
  auto d = make_disk({{"backend", "ram"}, {"size", "1M"}, {"read_only", "true"}});
  ASSERT_EQ(d->status, Status::ok);
  DeviceInfo info{};
  info.struct_size = sizeof info;
  d->dev->info(&info);
  EXPECT_TRUE(info.flags & DeviceInfoFlags::write_protected);
  std::vector<uint8_t> blk(512, 1);
  expect_sense(*exec(d->dev.get(), cdb10(op::kWrite10, 0, 1), 512, &blk), SenseKey::data_protect,
               0x27, 0);
  EXPECT_GOOD(exec(d->dev.get(), cdb10(op::kRead10, 0, 1), 512));
}

TEST(DiskNull, ReadsZerosAndDiscardsWrites) {
  auto d = make_disk({{"backend", "null"}, {"size", "1G"}});
  ASSERT_EQ(d->status, Status::ok);
  std::vector<uint8_t> blk(512, 7);
  EXPECT_GOOD(exec(d->dev.get(), cdb10(op::kWrite10, 5, 1), 512, &blk));
  auto r = exec(d->dev.get(), cdb10(op::kRead10, 5, 1), 512);
  EXPECT_GOOD(r);
  EXPECT_TRUE(std::all_of(r->data().begin(), r->data().end(), [](uint8_t b) { return !b; }));
  EXPECT_EQ(d->disk()->num_blocks(), (1ull << 30) / 512);
}

}  // namespace
}  // namespace nexus::disk::test
