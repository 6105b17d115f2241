// The command runtime end to end with a fake transport and a fake device
// that holds commands in flight: ordering, throttling, TMF, UA delivery.
#include <gtest/gtest.h>

#include "core_test_fixture.h"

using namespace nexus;
using namespace nexus::server;
using namespace nexus::server::test;

TEST_F(CommandFlow, ReadReturnsDataAndGood) {
  dev_.hold = false;
  submit(1, rw10(0x28, 0, 2), DataDir::read, 1024);
  settle();
  ASSERT_TRUE(has_response(1));
  const Response& r = events_.responses[1];
  EXPECT_EQ(r.status, ScsiStatus::good);
  EXPECT_EQ(r.data_in, 1024u);
  EXPECT_EQ(r.residual_flags, 0);
}

TEST_F(CommandFlow, ShortExpectedLengthIsReportedAsOverflow) {
  dev_.hold = false;
  submit(1, rw10(0x28, 0, 2), DataDir::read, 512);
  settle();
  const Response& r = events_.responses[1];
  EXPECT_EQ(r.data_in, 512u);
  EXPECT_EQ(r.residual_flags, Residual::overflow);
  EXPECT_EQ(r.residual, 512u);
}

TEST_F(CommandFlow, ReadDoesNotOvertakeWriteStillReceivingData) {
  ITransportCommand* w = submit(1, rw10(0x2A, 10, 4), DataDir::write, 2048);
  submit(2, rw10(0x28, 12, 1), DataDir::read, 512);
  settle();
  ASSERT_EQ(events_.data_requests.size(), 1u);
  EXPECT_EQ(events_.data_requests[0].second, 2048u);
  EXPECT_TRUE(dev_.executed().empty()) << "READ overtook the WRITE's data phase";
  on_reactor([&] { w->data_out_done(Status::ok); });
  EXPECT_EQ(dev_.executed(), std::vector<uint8_t>{0x2A});
  dev_.complete_one();  // the WRITE
  settle();
  EXPECT_EQ(dev_.executed(), (std::vector<uint8_t>{0x2A, 0x28}));
  dev_.complete_one();
  settle();
  EXPECT_TRUE(has_response(1));
  EXPECT_TRUE(has_response(2));
}

TEST_F(CommandFlow, QueueDepthBeyondLimitGetsTaskSetFull) {
  for (uint64_t t = 1; t <= 4; ++t) submit(t, rw10(0x28, uint32_t(t), 1), DataDir::read, 512);
  submit(5, rw10(0x28, 5, 1), DataDir::read, 512);
  settle();
  ASSERT_TRUE(has_response(5));
  EXPECT_EQ(events_.responses[5].status, ScsiStatus::task_set_full);
  EXPECT_FALSE(has_response(1));
}

TEST_F(CommandFlow, AbortTaskWaitsForTheDeviceAndSendsNoResponse) {
  submit(7, rw10(0x28, 0, 1), DataDir::read, 512);
  on_reactor([&] {
    TmfDesc t{};
    t.struct_size = sizeof t;
    t.function = TmfFunction::abort_task;
    t.referenced_tag = 7;
    t.tmf_tag = 99;
    nexus_->task_mgmt(&t);
  });
  settle();
  EXPECT_EQ(dev_.aborts, 1);
  EXPECT_TRUE(events_.tmfs.empty()) << "TMF answered before the task ended";
  dev_.complete_one();
  settle();
  settle();
  EXPECT_FALSE(has_response(7));
  ASSERT_EQ(events_.aborted, std::vector<uint64_t>{7});
  ASSERT_EQ(events_.tmfs.size(), 1u);
  EXPECT_EQ(events_.tmfs[0].first, 99u);
  EXPECT_EQ(events_.tmfs[0].second, TmfResponse::function_complete);
}

TEST_F(CommandFlow, DeviceLearnsOfNexusLossAfterItsLastCommand) {
  RecordingEvents other_events;
  SessionDesc d{};
  d.struct_size = sizeof d;
  d.initiator_name = to_str("iqn.2026-11.test:other");
  d.initiator_port_id = to_str("iqn.2026-11.test:other,i,0x2");
  d.target_name = to_str("iqn.2026-11.test:tgt");
  d.relative_port = 1;
  auto other = open_nexus(d, &other_events);
  const uint64_t id = other->id();
  submit_on(*other, 1, rw10(0x28, 0, 1), DataDir::read, 512);
  settle();
  on_reactor([&] { other->close(true); });
  settle();
  EXPECT_TRUE(dev_.lost_nexuses().empty()) << "nexus_lost before its command ended";
  dev_.complete_one();
  settle();
  settle();
  EXPECT_EQ(dev_.lost_nexuses(), std::vector<uint64_t>{id});
  EXPECT_TRUE(other_events.closed_called);
  other.reset();

  // I_T NEXUS RESET is a nexus loss for the devices too (SAM-5 6.3.4).
  on_reactor([&] {
    TmfDesc t{};
    t.struct_size = sizeof t;
    t.function = TmfFunction::i_t_nexus_reset;
    t.tmf_tag = 9;
    nexus_->task_mgmt(&t);
  });
  settle();
  settle();
  EXPECT_EQ(dev_.lost_nexuses(), (std::vector<uint64_t>{id, nexus_->id()}));
}

TEST_F(CommandFlow, ShutdownDestroysAnIdleDevice) {
  dev_.hold = false;
  submit(1, rw10(0x28, 0, 1), DataDir::read, 512);
  settle();
  ASSERT_TRUE(has_response(1));
  EXPECT_TRUE(lu_->shutdown());
  EXPECT_EQ(dev_.destroyed.load(), 1);
  EXPECT_EQ(lu_->device(), nullptr);
  EXPECT_TRUE(lu_->shutdown());  // Core::shutdown() calls it again: no second destroy
  EXPECT_EQ(dev_.destroyed.load(), 1);
}

TEST_F(CommandFlow, ShutdownLeavesADeviceWithACommandInFlightAlone) {
  // A hung SG_IO: destroy() would wait for it forever (or free what the
  // worker still uses). Shutdown must neither call it nor hang.
  submit(1, rw10(0x28, 0, 1), DataDir::read, 512);
  settle();
  ASSERT_EQ(dev_.executed().size(), 1u);
  EXPECT_FALSE(lu_->shutdown());
  EXPECT_EQ(dev_.destroyed.load(), 0);
  EXPECT_EQ(lu_->device(), nullptr);
  // The late completion still finds the command and the nexus alive.
  dev_.complete_one();
  settle();
  settle();
  ASSERT_TRUE(has_response(1));
  EXPECT_EQ(events_.responses[1].status, ScsiStatus::good);
}

TEST_F(CommandFlow, AbortOfUnknownTagCompletes) {
  on_reactor([&] {
    TmfDesc t{};
    t.struct_size = sizeof t;
    t.function = TmfFunction::abort_task;
    t.referenced_tag = 12345;
    t.tmf_tag = 5;
    nexus_->task_mgmt(&t);
  });
  settle();
  ASSERT_EQ(events_.tmfs.size(), 1u);
  EXPECT_EQ(events_.tmfs[0].second, TmfResponse::function_complete);
}

TEST_F(CommandFlow, UnmappedLunIsNotSupported) {
  std::vector<uint8_t> tur(6, 0);
  submit(3, tur, DataDir::none, 0, TaskAttr::simple, uint64_t(5) << 48);
  settle();
  const Response& r = events_.responses[3];
  EXPECT_EQ(r.status, ScsiStatus::check_condition);
  ASSERT_GE(r.sense.size(), 14u);
  EXPECT_EQ(r.sense[2] & 0x0F, 0x05);
  EXPECT_EQ(r.sense[12], 0x25);
}

TEST_F(CommandFlow, UnitAttentionBlocksMediumCommandsButNotInquiry) {
  dev_.hold = false;
  lu_->raise_ua(UaScope::all_nexuses, 0, 0x2A, 0x01);
  std::vector<uint8_t> inq = {0x12, 0, 0, 0, 36, 0};
  submit(1, inq, DataDir::read, 36);
  submit(2, rw10(0x28, 0, 1), DataDir::read, 512);
  submit(3, rw10(0x28, 0, 1), DataDir::read, 512);
  settle();
  EXPECT_EQ(events_.responses[1].status, ScsiStatus::good);
  const Response& r = events_.responses[2];
  EXPECT_EQ(r.status, ScsiStatus::check_condition);
  ASSERT_GE(r.sense.size(), 14u);
  EXPECT_EQ(r.sense[2] & 0x0F, 0x06);
  EXPECT_EQ(r.sense[12], 0x2A);
  EXPECT_EQ(r.sense[13], 0x01);
  EXPECT_EQ(events_.responses[3].status, ScsiStatus::good);  // reported once, then cleared
}

TEST_F(CommandFlow, ReservedCdbBitIsRejectedBeforeTheDevice) {
  auto cdb = rw10(0x28, 0, 1);
  cdb[6] = 0x01;  // reserved/group number byte not in the usage mask
  submit(1, cdb, DataDir::read, 512);
  settle();
  EXPECT_EQ(events_.responses[1].status, ScsiStatus::check_condition);
  EXPECT_TRUE(dev_.executed().empty());
}

TEST_F(CommandFlow, PassthroughDeviceWithDSenseGetsDescriptorSense) {
  auto cdb = rw10(0x28, 0, 1);
  cdb[6] = 0x01;
  submit(1, cdb, DataDir::read, 512);
  settle();
  ASSERT_FALSE(events_.responses[1].sense.empty());
  EXPECT_EQ(events_.responses[1].sense[0] & 0x7F, 0x70);  // fixed by default
  // The real device's Control page says D_SENSE=1 (SPC-4 7.5.8).
  dev_.extra_flags = DeviceInfoFlags::descriptor_sense;
  submit(2, cdb, DataDir::read, 512);
  settle();
  ASSERT_FALSE(events_.responses[2].sense.empty());
  EXPECT_EQ(events_.responses[2].sense[0] & 0x7F, 0x72);
}

TEST_F(CommandFlow, WriteWithLessDataThanTheCdbTransfersWhatCameAndReportsOverflow) {
  // SAM-5 5.4.3: the handler gets only the 512 bytes the initiator sends.
  dev_.hold = false;
  ITransportCommand* w = submit(1, rw10(0x2A, 0, 4), DataDir::write, 512);
  settle();
  ASSERT_EQ(events_.data_requests.size(), 1u);
  EXPECT_EQ(events_.data_requests[0].second, 512u);
  on_reactor([&] { w->data_out_done(Status::ok); });
  settle();
  const Response& r = events_.responses[1];
  EXPECT_EQ(r.status, ScsiStatus::good);
  EXPECT_EQ(r.residual_flags, Residual::overflow);
  EXPECT_EQ(r.residual, 1536u);
}

TEST_F(CommandFlow, PassthroughDeviceNeverGetsLessDataOutThanItsCdbAsksFor) {
  // The device behind a pass-through handler gets the CDB as it is: with one
  // block sent for a two-block WRITE(10) it would wait for data that never
  // comes. Refused before the device, pointing at TRANSFER LENGTH.
  dev_.hold = false;
  dev_.extra_flags = DeviceInfoFlags::passthrough;
  submit(1, rw10(0x2A, 0, 2), DataDir::write, 512);
  settle();
  const Response& r = events_.responses[1];
  EXPECT_EQ(r.status, ScsiStatus::check_condition);
  ASSERT_GE(r.sense.size(), 18u);
  EXPECT_EQ(r.sense[2] & 0x0F, 0x05);  // ILLEGAL REQUEST
  EXPECT_EQ(r.sense[12], 0x24);        // INVALID FIELD IN CDB
  EXPECT_EQ((r.sense[16] << 8) | r.sense[17], 7);
  EXPECT_TRUE(dev_.executed().empty());
  // The full amount goes through.
  ITransportCommand* w = submit(2, rw10(0x2A, 0, 2), DataDir::write, 1024);
  settle();
  on_reactor([&] { w->data_out_done(Status::ok); });
  settle();
  EXPECT_EQ(events_.responses[2].status, ScsiStatus::good);
  EXPECT_EQ(dev_.executed(), std::vector<uint8_t>{0x2A});
}

TEST_F(CommandFlow, WriteWithMoreDataThanTheCdbReportsUnderflow) {
  dev_.hold = false;
  ITransportCommand* w = submit(1, rw10(0x2A, 0, 1), DataDir::write, 2048);
  settle();
  ASSERT_EQ(events_.data_requests.size(), 1u);
  EXPECT_EQ(events_.data_requests[0].second, 512u);
  on_reactor([&] { w->data_out_done(Status::ok); });
  settle();
  const Response& r = events_.responses[1];
  EXPECT_EQ(r.status, ScsiStatus::good);
  EXPECT_EQ(r.residual_flags, Residual::underflow);
  EXPECT_EQ(r.residual, 1536u);
}

TEST_F(CommandFlow, QErrOneAbortsTheTaskSetOnCheckCondition) {
  lu_->control().qerr = 1;  // SPC-4 7.5.8
  submit(1, rw10(0x28, 0, 1), DataDir::read, 512);
  settle();
  ASSERT_EQ(dev_.executed().size(), 1u);
  auto bad = rw10(0x28, 0, 1);
  bad[6] = 0x01;  // reserved bit: CHECK CONDITION
  submit(2, bad, DataDir::read, 512);
  settle();
  EXPECT_EQ(events_.responses[2].status, ScsiStatus::check_condition);
  EXPECT_EQ(dev_.aborts, 1) << "QErr=01b must abort the other tasks";
  dev_.complete_one();
  settle();
  EXPECT_EQ(events_.aborted, std::vector<uint64_t>{1});
}

TEST_F(CommandFlow, QErrZeroLeavesOtherTasksAlone) {
  submit(1, rw10(0x28, 0, 1), DataDir::read, 512);
  auto bad = rw10(0x28, 0, 1);
  bad[6] = 0x01;
  submit(2, bad, DataDir::read, 512);
  settle();
  EXPECT_EQ(dev_.aborts, 0);
}
