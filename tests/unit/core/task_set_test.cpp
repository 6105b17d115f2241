#include "core/task_set.h"

#include <gtest/gtest.h>

#include "core/scsi_command.h"

using namespace nexus;
using namespace nexus::server;

namespace {

struct Cmd {
  Command c{nullptr};
  Cmd(TaskAttr attr, uint8_t access = 0, uint64_t lba = 0, uint64_t blocks = 0) {
    c.attr_ = attr;
    c.access_ = access;
    c.lba_ = lba;
    c.blocks_ = blocks;
    c.state_ = CommandState::waiting_data;
  }
};

}  // namespace

TEST(TaskSet, ReadWaitsForOverlappingEarlierWriteStillReceivingData) {
  TaskSet ts;
  Cmd w(TaskAttr::simple, 2, 100, 8), r(TaskAttr::simple, 1, 104, 8);
  ts.insert(&w.c);
  ts.insert(&r.c);
  EXPECT_TRUE(ts.can_run(&w.c));
  EXPECT_FALSE(ts.can_run(&r.c));
  r.c.state_ = CommandState::waiting_order;
  ts.note_waiting();
  std::vector<Command*> out;
  ts.collect_runnable(out);
  EXPECT_TRUE(out.empty());
  ts.remove(&w.c);
  ts.collect_runnable(out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], &r.c);
  EXPECT_EQ(r.c.state_, CommandState::running);
}

TEST(TaskSet, DisjointRangesAndReadsRunConcurrently) {
  TaskSet ts;
  Cmd w(TaskAttr::simple, 2, 0, 8), r(TaskAttr::simple, 1, 8, 8), r2(TaskAttr::simple, 1, 0, 8);
  Cmd r3(TaskAttr::simple, 1, 0, 8);
  ts.insert(&r2.c);
  ts.insert(&r3.c);
  EXPECT_TRUE(ts.can_run(&r3.c));  // read after read
  ts.insert(&w.c);
  EXPECT_FALSE(ts.can_run(&w.c));  // write after overlapping reads waits too
  ts.insert(&r.c);
  EXPECT_TRUE(ts.can_run(&r.c));  // disjoint from the write
}

TEST(TaskSet, OrderedWaitsForAllOlderAndBlocksAllNewer) {
  TaskSet ts;
  Cmd a(TaskAttr::simple), o(TaskAttr::ordered), b(TaskAttr::simple);
  ts.insert(&a.c);
  ts.insert(&o.c);
  ts.insert(&b.c);
  EXPECT_TRUE(ts.can_run(&a.c));
  EXPECT_FALSE(ts.can_run(&o.c));
  EXPECT_FALSE(ts.can_run(&b.c));
  ts.remove(&a.c);
  EXPECT_TRUE(ts.can_run(&o.c));
  EXPECT_FALSE(ts.can_run(&b.c));
  ts.remove(&o.c);
  EXPECT_TRUE(ts.can_run(&b.c));
}

TEST(TaskSet, HeadOfQueueRunsAtOnce) {
  TaskSet ts;
  Cmd o(TaskAttr::ordered), w(TaskAttr::simple, 2, 0, 0), h(TaskAttr::head_of_queue, 1, 0, 8);
  ts.insert(&o.c);
  ts.insert(&w.c);
  ts.insert(&h.c);
  EXPECT_TRUE(ts.can_run(&h.c));
  // A later SIMPLE task is not held back by an older HOQ task...
  Cmd s(TaskAttr::simple);
  TaskSet ts2;
  ts2.insert(&h.c);
  ts2.insert(&s.c);
  EXPECT_TRUE(ts2.can_run(&s.c));
  // ...but an ORDERED one waits for it.
  Cmd o2(TaskAttr::ordered);
  ts2.insert(&o2.c);
  EXPECT_FALSE(ts2.can_run(&o2.c));
}

TEST(TaskSet, WholeUnitWriteConflictsWithEveryMediumAccess) {
  TaskSet ts;
  Cmd unmap(TaskAttr::simple, 2, 0, 0), r(TaskAttr::simple, 1, 1000, 1), inq(TaskAttr::simple);
  ts.insert(&unmap.c);
  ts.insert(&r.c);
  ts.insert(&inq.c);
  EXPECT_FALSE(ts.can_run(&r.c));
  EXPECT_TRUE(ts.can_run(&inq.c));  // no medium access
}
