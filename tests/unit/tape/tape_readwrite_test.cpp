// READ(6)/WRITE(6) in variable and fixed block mode: incorrect length
// (ILI) residues, filemarks and EOD while reading, early warning and volume
// overflow while writing, and persistence across a reload.
#include "tape_fakes.h"

namespace nexus::tape::test {
namespace {

void set_block_size(Drive& d, uint32_t bs) {
  BlockDescriptor bd{};
  bd.struct_size = sizeof bd;
  ASSERT_EQ(d.dev->block_descriptor(&bd), Status::ok);
  bd.block_length = bs;
  SenseInfo s{};
  ASSERT_EQ(d.dev->set_block_descriptor(&bd, &s), Status::ok);
}

TEST(TapeReadWrite, VariableBlocksRoundTrip) {
  auto d = make_drive();
  ASSERT_EQ(d->status, Status::ok) << d->options->all_errors();
  auto a = pattern(1000, 1), b = pattern(65536, 2);
  EXPECT_GOOD(d->exec(write6(1000, false), &a));
  EXPECT_GOOD(d->exec(write6(65536, false), &b));
  EXPECT_GOOD(d->exec(wfm(1)));
  EXPECT_GOOD(d->exec(rewind_cdb()));
  auto r = d->exec(read6(1000, false));
  EXPECT_GOOD(r);
  EXPECT_EQ(r->data(), a);
  r = d->exec(read6(65536, false));
  EXPECT_GOOD(r);
  EXPECT_EQ(r->data(), b);
  // The filemark: NO SENSE, FILEMARK, 00h/01h, INFORMATION = requested length.
  r = d->exec(read6(4096, false));
  expect_sense(*r, SenseKey::no_sense, 0x00, 0x01);
  EXPECT_TRUE(r->sense().flags & SenseFlags::filemark);
  expect_info(*r, 4096);
  EXPECT_EQ(r->transfer(), 0u);
  EXPECT_EQ(position(*d), 3u);  // after the filemark
  // EOD: BLANK CHECK, END-OF-DATA DETECTED.
  r = d->exec(read6(4096, false));
  expect_sense(*r, SenseKey::blank_check, 0x00, 0x05);
  expect_info(*r, 4096);
}

TEST(TapeReadWrite, VariableIncorrectLength) {
  auto d = make_drive();
  auto a = pattern(1000, 1);
  for (int i = 0; i < 4; ++i) EXPECT_GOOD(d->exec(write6(1000, false), &a));
  EXPECT_GOOD(d->exec(rewind_cdb()));
  // Underlength: the block is shorter than asked. ILI, INFORMATION = 4000-1000.
  auto r = d->exec(read6(4000, false));
  expect_sense(*r, SenseKey::no_sense, 0x00, 0x00);
  EXPECT_TRUE(r->sense().flags & SenseFlags::ili);
  expect_info(*r, 3000);
  EXPECT_EQ(r->transfer(), 1000u);
  EXPECT_TRUE(std::equal(a.begin(), a.end(), r->data().begin()));
  // Overlength: negative residue (two's complement), only the asked bytes.
  r = d->exec(read6(600, false));
  expect_sense(*r, SenseKey::no_sense, 0x00, 0x00);
  EXPECT_TRUE(r->sense().flags & SenseFlags::ili);
  expect_info(*r, uint32_t(600 - 1000));
  EXPECT_EQ(r->transfer(), 600u);
  EXPECT_EQ(position(*d), 2u);  // after the incorrect-length block
  // SILI suppresses both in variable-block mode.
  EXPECT_GOOD(d->exec(read6(4000, false, true)));
  EXPECT_GOOD(d->exec(read6(10, false, true)));
  // FIXED with SILI is invalid.
  expect_sense(*d->exec(read6(1, true, true), nullptr, 1, 0), SenseKey::illegal_request, 0x24, 0);
}

TEST(TapeReadWrite, FixedBlockMode) {
  auto d = make_drive();
  // FIXED=1 needs a block length first.
  expect_sense(*d->exec(write6(1, true), nullptr, 1, 0), SenseKey::illegal_request, 0x24, 0);
  set_block_size(*d, 512);
  auto data = pattern(512 * 5, 3);
  EXPECT_GOOD(d->exec(write6(5, true), &data));
  EXPECT_GOOD(d->exec(wfm(1)));
  auto other = pattern(100, 4);
  EXPECT_GOOD(d->exec(write6(100, false), &other));  // a variable block among them
  EXPECT_GOOD(d->exec(rewind_cdb()));
  auto r = d->exec(read6(3, true));
  EXPECT_GOOD(r);
  EXPECT_TRUE(std::equal(r->data().begin(), r->data().end(), data.begin()));
  // Filemark after 2 more blocks: INFORMATION = 4 - 2 blocks not read.
  r = d->exec(read6(4, true));
  expect_sense(*r, SenseKey::no_sense, 0x00, 0x01);
  expect_info(*r, 2);
  EXPECT_EQ(r->transfer(), 1024u);
  EXPECT_TRUE(std::equal(r->data().begin(), r->data().begin() + 1024, data.begin() + 1536));
  // The 100-byte block in 512-byte mode: ILI, INFORMATION = 3 - 0 blocks.
  r = d->exec(read6(3, true));
  expect_sense(*r, SenseKey::no_sense, 0x00, 0x00);
  EXPECT_TRUE(r->sense().flags & SenseFlags::ili);
  expect_info(*r, 3);
  EXPECT_EQ(position(*d), 7u);
  r = d->exec(read6(2, true));
  expect_sense(*r, SenseKey::blank_check, 0x00, 0x05);
  expect_info(*r, 2);
}

TEST(TapeReadWrite, VariableWriteLengthLimits) {
  auto d = make_drive(8u << 20, {{"max_block_length", "65536"}});
  ASSERT_EQ(d->status, Status::ok) << d->options->all_errors();
  auto big = pattern(65537, 1);
  expect_sense(*d->exec(write6(65537, false), &big), SenseKey::illegal_request, 0x24, 0);
  auto c = d->exec(cdb6(op::kReadBlockLimits, 0, 0));
  EXPECT_GOOD(c);
  EXPECT_EQ(get_be24(c->data().data() + 1), 65536u);
  EXPECT_EQ(get_be16(c->data().data() + 4), 1u);
}

TEST(TapeReadWrite, EarlyWarningThenVolumeOverflow) {
  auto d = make_drive(256u << 10);  // EW 16 KiB before the end
  ASSERT_EQ(d->status, Status::ok);
  auto blk = pattern(16384, 1);
  int good = 0;
  std::unique_ptr<FakeCommand> c;
  for (;;) {
    c = d->exec(write6(16384, false), &blk);
    if (c->status() != ScsiStatus::good) break;
    ++good;
  }
  EXPECT_EQ(good, 14);  // 14 * (16384 + 32) bytes used; the 15th crosses EW
  // Written, with EOM and END-OF-PARTITION/MEDIUM DETECTED.
  expect_sense(*c, SenseKey::no_sense, 0x00, 0x02);
  EXPECT_TRUE(c->sense().flags & SenseFlags::eom);
  expect_info(*c, 0);
  EXPECT_EQ(position(*d), 15u);
  // No room left: VOLUME OVERFLOW, nothing written (residue = the length).
  c = d->exec(write6(16384, false), &blk);
  expect_sense(*c, SenseKey::volume_overflow, 0x00, 0x02);
  EXPECT_TRUE(c->sense().flags & SenseFlags::eom);
  expect_info(*c, 16384);
  EXPECT_EQ(position(*d), 15u);
  // A filemark still fits, with the warning; READ POSITION reports EOP.
  c = d->exec(wfm(1));
  expect_sense(*c, SenseKey::no_sense, 0x00, 0x02);
  auto rp = d->exec(read_position(op::kRpShort));
  EXPECT_EQ(rp->data()[0] & 0x40, 0x40);
}

TEST(TapeReadWrite, DataSurvivesReload) {
  auto d = make_drive();
  auto a = pattern(3000, 5);
  EXPECT_GOOD(d->exec(write6(3000, false), &a));
  EXPECT_GOOD(d->exec(wfm(1)));
  EXPECT_GOOD(d->exec(load_unload(0x00)));
  ASSERT_EQ(d->tape()->unload(false), Status::ok);
  ASSERT_EQ(d->tape()->load(to_str(d->medium), false), Status::ok);
  auto r = d->exec(read6(3000, false));
  EXPECT_GOOD(r);
  EXPECT_EQ(r->data(), a);
  r = d->exec(read6(3000, false));
  expect_sense(*r, SenseKey::no_sense, 0x00, 0x01);
}

}  // namespace
}  // namespace nexus::tape::test
