// The position state machine: SPACE, LOCATE, READ POSITION, and the BOP,
// EOD and filemark conditions with their exact sense data and residues.
#include "tape_fakes.h"

namespace nexus::tape::test {
namespace {

// Tape layout used below (logical object identifiers):
//   0 b  1 b  2 b  3 FM  4 b  5 FM  6 FM  7 b  8 b  | 9 EOD
class Positioning : public ::testing::Test {
 protected:
  void SetUp() override {
    d = make_drive();
    ASSERT_EQ(d->status, Status::ok) << d->options->all_errors();
    auto blk = pattern(512, 1);
    auto put = [&](int n) {
      for (int i = 0; i < n; ++i) EXPECT_GOOD(d->exec(write6(512, false), &blk));
    };
    put(3);
    EXPECT_GOOD(d->exec(wfm(1)));
    put(1);
    EXPECT_GOOD(d->exec(wfm(2)));
    put(2);
    EXPECT_GOOD(d->exec(rewind_cdb()));
  }
  void at(uint64_t pos) { EXPECT_GOOD(d->exec(locate10(uint32_t(pos)))); }
  std::unique_ptr<Drive> d;
};

TEST_F(Positioning, SpaceBlocksForwardAndBackward) {
  EXPECT_GOOD(d->exec(space6(0, 2)));
  EXPECT_EQ(position(*d), 2u);
  EXPECT_GOOD(d->exec(space6(0, -2)));
  EXPECT_EQ(position(*d), 0u);
  EXPECT_GOOD(d->exec(space6(0, 0)));
  EXPECT_EQ(position(*d), 0u);
}

TEST_F(Positioning, SpaceBlocksForwardStopsAfterFilemark) {
  auto c = d->exec(space6(0, 5));
  expect_sense(*c, SenseKey::no_sense, 0x00, 0x01);
  EXPECT_TRUE(c->sense().flags & SenseFlags::filemark);
  expect_info(*c, 2);  // 3 spaced of 5
  EXPECT_EQ(position(*d), 4u);  // EOP side of the filemark
}

TEST_F(Positioning, SpaceBlocksBackwardStopsBeforeFilemark) {
  at(5);
  auto c = d->exec(space6(0, -3));
  expect_sense(*c, SenseKey::no_sense, 0x00, 0x01);
  EXPECT_TRUE(c->sense().flags & SenseFlags::filemark);
  expect_info(*c, 2);  // block 4 spaced, then the filemark at 3
  EXPECT_EQ(position(*d), 3u);  // BOP side of the filemark
}

TEST_F(Positioning, SpaceBlocksBackwardHitsBop) {
  at(2);
  auto c = d->exec(space16(0, -5));
  expect_sense(*c, SenseKey::no_sense, 0x00, 0x04);
  EXPECT_TRUE(c->sense().flags & SenseFlags::eom);
  expect_info(*c, 3);
  EXPECT_EQ(position(*d), 0u);
}

TEST_F(Positioning, SpaceBlocksForwardHitsEod) {
  at(7);
  auto c = d->exec(space6(0, 4));
  expect_sense(*c, SenseKey::blank_check, 0x00, 0x05);
  expect_info(*c, 2);
  EXPECT_EQ(position(*d), 9u);
}

TEST_F(Positioning, SpaceFilemarks) {
  EXPECT_GOOD(d->exec(space6(1, 2)));
  EXPECT_EQ(position(*d), 6u);
  EXPECT_GOOD(d->exec(space6(1, 1)));
  EXPECT_EQ(position(*d), 7u);
  EXPECT_GOOD(d->exec(space6(1, -1)));
  EXPECT_EQ(position(*d), 6u);  // BOP side of filemark 6
  EXPECT_GOOD(d->exec(space16(1, -2)));
  EXPECT_EQ(position(*d), 3u);
  auto c = d->exec(space6(1, -2));
  expect_sense(*c, SenseKey::no_sense, 0x00, 0x04);
  EXPECT_TRUE(c->sense().flags & SenseFlags::eom);
  expect_info(*c, 2);
  EXPECT_EQ(position(*d), 0u);
  c = d->exec(space6(1, 5));
  expect_sense(*c, SenseKey::blank_check, 0x00, 0x05);
  expect_info(*c, 2);
  EXPECT_EQ(position(*d), 9u);
}

TEST_F(Positioning, SpaceSequentialFilemarksAndEod) {
  EXPECT_GOOD(d->exec(space6(2, 2)));
  EXPECT_EQ(position(*d), 7u);
  EXPECT_GOOD(d->exec(space6(2, -2)));
  EXPECT_EQ(position(*d), 5u);
  auto c = d->exec(space6(2, 3));
  expect_sense(*c, SenseKey::blank_check, 0x00, 0x05);
  EXPECT_GOOD(d->exec(space6(3, 0)));
  EXPECT_EQ(position(*d), 9u);
  expect_sense(*d->exec(space6(4, 1)), SenseKey::illegal_request, 0x24, 0x00);  // setmarks
}

TEST_F(Positioning, LocateAndReadPositionForms) {
  at(5);
  auto s = d->exec(read_position(op::kRpShort));
  EXPECT_GOOD(s);
  EXPECT_EQ(s->transfer(), 20u);
  EXPECT_EQ(s->data()[0] & 0x80, 0);  // not BOP
  EXPECT_EQ(get_be32(s->data().data() + 4), 5u);
  EXPECT_EQ(get_be32(s->data().data() + 8), 5u);
  auto l = d->exec(read_position(op::kRpLong));
  EXPECT_EQ(l->transfer(), 32u);
  EXPECT_EQ(get_be64(l->data().data() + 8), 5u);
  EXPECT_EQ(get_be64(l->data().data() + 16), 1u);  // one filemark before: file 1
  auto x = d->exec(read_position(op::kRpExtended, 32));
  EXPECT_GOOD(x);
  EXPECT_EQ(get_be16(x->data().data() + 2), 0x1Cu);
  EXPECT_EQ(get_be64(x->data().data() + 8), 5u);
  EXPECT_GOOD(d->exec(rewind_cdb()));
  s = d->exec(read_position(op::kRpShortVendor));
  EXPECT_EQ(s->data()[0] & 0x80, 0x80);  // BOP
  // LOCATE(16) by file identifier and to EOD.
  EXPECT_GOOD(d->exec(locate16(1, 3)));
  EXPECT_EQ(position(*d), 7u);
  EXPECT_GOOD(d->exec(locate16(3, 0)));
  EXPECT_EQ(position(*d), 9u);
  EXPECT_GOOD(d->exec(locate16(0, 4)));
  EXPECT_EQ(position(*d), 4u);
  // Beyond EOD: BLANK CHECK, positioned at EOD.
  expect_sense(*d->exec(locate10(42)), SenseKey::blank_check, 0x00, 0x05);
  EXPECT_EQ(position(*d), 9u);
  expect_sense(*d->exec(locate16(1, 9)), SenseKey::blank_check, 0x00, 0x05);
}

TEST_F(Positioning, LocateToAnotherPartitionIsRejected) {
  auto c = locate10(1);
  c[1] = 0x02;  // CP
  c[8] = 1;
  expect_sense(*d->exec(c), SenseKey::illegal_request, 0x24, 0x00);
}

TEST_F(Positioning, WriteInTheMiddleTruncates) {
  at(4);
  auto blk = pattern(100, 9);
  EXPECT_GOOD(d->exec(write6(100, false), &blk));
  EXPECT_GOOD(d->exec(space6(3, 0)));
  EXPECT_EQ(position(*d), 5u);
  EXPECT_GOOD(d->exec(rewind_cdb()));
  EXPECT_GOOD(d->exec(space6(1, 1)));
  auto r = d->exec(read6(1000, false, true));
  EXPECT_GOOD(r);
  EXPECT_EQ(r->transfer(), 100u);
  expect_sense(*d->exec(read6(1000, false)), SenseKey::blank_check, 0x00, 0x05);
}

}  // namespace
}  // namespace nexus::tape::test
