#include "scsi/core_opcode_rows.h"

namespace nexus::scsi {
namespace {

using F = OpcodeFlags;

// Every SPC command here runs without a medium (SPC-4: only medium access
// needs one); TEST UNIT READY is the exception since reporting NOT READY is
// its purpose.
constexpr uint32_t kSpc = F::handled_by_core | F::ok_on_no_medium | F::ok_when_not_ready;
constexpr uint32_t kAlloc = kSpc | F::allocation_length;
constexpr uint32_t kUa = F::allow_on_ua;  // SAM-5 5.14 / SPC-4 5.12: not blocked by a UA
constexpr uint32_t kSa = F::service_action;

// Control byte usage is 00h everywhere: NACA is rejected (no ACA), LINK is
// obsolete and we define no vendor bits.
constexpr OpcodeInfo kInquiry{op::inquiry,
                              6,
                              0,
                              kAlloc | kUa,
                              DataDir::read,
                              LengthUnit::bytes,
                              3,
                              2,
                              0,
                              0,
                              ResvClass::allowed,
                              0,
                              {0x12, 0x01, 0xFF, 0xFF, 0xFF, 0x00},
                              0,
                              "INQUIRY"};
constexpr OpcodeInfo kReportLuns{
    op::report_luns,
    12,
    0,
    kAlloc | kUa,
    DataDir::read,
    LengthUnit::bytes,
    6,
    4,
    0,
    0,
    ResvClass::allowed,
    0,
    {0xA0, 0x00, 0xFF, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00},
    0,
    "REPORT LUNS"};
constexpr OpcodeInfo kRequestSense{op::request_sense,
                                   6,
                                   0,
                                   kAlloc | kUa,
                                   DataDir::read,
                                   LengthUnit::bytes,
                                   4,
                                   1,
                                   0,
                                   0,
                                   ResvClass::allowed,
                                   0,
                                   {0x03, 0x01, 0x00, 0x00, 0xFF, 0x00},
                                   0,
                                   "REQUEST SENSE"};
// SPC-4 Table 63 lists TEST UNIT READY as allowed under every persistent
// reservation type (SPC-2 RESERVE still conflicts: the core's SPC-2 check).
constexpr OpcodeInfo kTestUnitReady{op::test_unit_ready,
                                    6,
                                    0,
                                    F::handled_by_core,
                                    DataDir::none,
                                    LengthUnit::none,
                                    0,
                                    0,
                                    0,
                                    0,
                                    ResvClass::allowed,
                                    0,
                                    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
                                    0,
                                    "TEST UNIT READY"};
// MODE SENSE is allowed under Write Exclusive types, conflicts under
// Exclusive Access: the `read` class.
constexpr OpcodeInfo kModeSense6{op::mode_sense_6,
                                 6,
                                 0,
                                 kAlloc,
                                 DataDir::read,
                                 LengthUnit::bytes,
                                 4,
                                 1,
                                 0,
                                 0,
                                 ResvClass::read,
                                 0,
                                 {0x1A, 0x08, 0xFF, 0xFF, 0xFF, 0x00},
                                 0,
                                 "MODE SENSE(6)"};
constexpr OpcodeInfo kModeSense10{op::mode_sense_10,
                                  10,
                                  0,
                                  kAlloc,
                                  DataDir::read,
                                  LengthUnit::bytes,
                                  7,
                                  2,
                                  0,
                                  0,
                                  ResvClass::read,
                                  0,
                                  {0x5A, 0x18, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x00},
                                  0,
                                  "MODE SENSE(10)"};
// MODE SELECT changes LU-wide state: runs alone on the LU.
constexpr OpcodeInfo kModeSelect6{op::mode_select_6,
                                  6,
                                  0,
                                  kSpc | F::serialize_lu,
                                  DataDir::write,
                                  LengthUnit::bytes,
                                  4,
                                  1,
                                  0,
                                  0,
                                  ResvClass::conflict,
                                  0,
                                  {0x15, 0x11, 0x00, 0x00, 0xFF, 0x00},
                                  0,
                                  "MODE SELECT(6)"};
constexpr OpcodeInfo kModeSelect10{op::mode_select_10,
                                   10,
                                   0,
                                   kSpc | F::serialize_lu,
                                   DataDir::write,
                                   LengthUnit::bytes,
                                   7,
                                   2,
                                   0,
                                   0,
                                   ResvClass::conflict,
                                   0,
                                   {0x55, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x00},
                                   0,
                                   "MODE SELECT(10)"};
// Reservation commands run atomically under the LU lock and are not ordered
// behind other tasks: a PREEMPT AND ABORT must not wait for the tasks it
// aborts. SPC-2 RESERVE/RELEASE: third-party and extent reservations unsupported, so
// every field but the opcode is zero.
constexpr OpcodeInfo kReserve6{op::reserve_6,
                               6,
                               0,
                               kSpc,
                               DataDir::none,
                               LengthUnit::none,
                               0,
                               0,
                               0,
                               0,
                               ResvClass::reserve,
                               0,
                               {0x16, 0x00, 0x00, 0x00, 0x00, 0x00},
                               0,
                               "RESERVE(6)"};
constexpr OpcodeInfo kRelease6{op::release_6,
                               6,
                               0,
                               kSpc,
                               DataDir::none,
                               LengthUnit::none,
                               0,
                               0,
                               0,
                               0,
                               ResvClass::release,
                               0,
                               {0x17, 0x00, 0x00, 0x00, 0x00, 0x00},
                               0,
                               "RELEASE(6)"};
constexpr OpcodeInfo kReserve10{op::reserve_10,
                                10,
                                0,
                                kSpc,
                                DataDir::none,
                                LengthUnit::none,
                                0,
                                0,
                                0,
                                0,
                                ResvClass::reserve,
                                0,
                                {0x56, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
                                0,
                                "RESERVE(10)"};
constexpr OpcodeInfo kRelease10{op::release_10,
                                10,
                                0,
                                kSpc,
                                DataDir::none,
                                LengthUnit::none,
                                0,
                                0,
                                0,
                                0,
                                ResvClass::release,
                                0,
                                {0x57, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
                                0,
                                "RELEASE(10)"};

constexpr OpcodeInfo pr_in(uint8_t sa, const char* name) {
  return {op::persistent_reserve_in,
          10,
          sa,
          kAlloc | kSa,
          DataDir::read,
          LengthUnit::bytes,
          7,
          2,
          0,
          0,
          ResvClass::pr_in,
          0,
          {0x5E, sa, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x00},
          0,
          name};
}
constexpr OpcodeInfo pr_out(uint8_t sa, const char* name) {
  return {op::persistent_reserve_out,
          10,
          sa,
          kSpc | kSa,
          DataDir::write,
          LengthUnit::bytes,
          5,
          4,
          0,
          0,
          ResvClass::pr_out,
          0,
          {0x5F, sa, 0xFF, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00},
          0,
          name};
}
constexpr OpcodeInfo maint_in(uint8_t sa, uint8_t byte1_bits, uint8_t byte2, uint8_t byte3,
                              uint8_t byte45, const char* name) {
  return {op::maintenance_in,
          12,
          sa,
          kAlloc | kSa,
          DataDir::read,
          LengthUnit::bytes,
          6,
          4,
          0,
          0,
          ResvClass::allowed,
          0,
          {0xA3, uint8_t(byte1_bits | sa), byte2, byte3, byte45, byte45, 0xFF, 0xFF, 0xFF, 0xFF,
           0x00, 0x00},
          0,
          name};
}

constexpr OpcodeInfo kAll[] = {
    kTestUnitReady,
    kRequestSense,
    kInquiry,
    kModeSelect6,
    kReserve6,
    kRelease6,
    kModeSense6,
    kModeSelect10,
    kReserve10,
    kRelease10,
    kModeSense10,
    pr_in(0x00, "PERSISTENT RESERVE IN(READ KEYS)"),
    pr_in(0x01, "PERSISTENT RESERVE IN(READ RESERVATION)"),
    pr_in(0x02, "PERSISTENT RESERVE IN(REPORT CAPABILITIES)"),
    pr_in(0x03, "PERSISTENT RESERVE IN(READ FULL STATUS)"),
    pr_out(0x00, "PERSISTENT RESERVE OUT(REGISTER)"),
    pr_out(0x01, "PERSISTENT RESERVE OUT(RESERVE)"),
    pr_out(0x02, "PERSISTENT RESERVE OUT(RELEASE)"),
    pr_out(0x03, "PERSISTENT RESERVE OUT(CLEAR)"),
    pr_out(0x04, "PERSISTENT RESERVE OUT(PREEMPT)"),
    pr_out(0x05, "PERSISTENT RESERVE OUT(PREEMPT AND ABORT)"),
    pr_out(0x06, "PERSISTENT RESERVE OUT(REGISTER AND IGNORE EXISTING KEY)"),
    pr_out(0x07, "PERSISTENT RESERVE OUT(REGISTER AND MOVE)"),
    kReportLuns,
    // SPC-4 6.37: PARAMETER DATA FORMAT in byte 1 bits 7..5.
    maint_in(op::sa_report_target_port_groups, 0xE0, 0x00, 0x00, 0x00, "REPORT TARGET PORT GROUPS"),
    // SPC-4 6.35: RCTD, REPORTING OPTIONS, REQUESTED OPCODE / SERVICE ACTION.
    maint_in(op::sa_report_supported_opcodes, 0x00, 0x87, 0xFF, 0xFF,
             "REPORT SUPPORTED OPERATION CODES"),
    // SPC-4 6.36 (RSTMF): REPD.
    maint_in(op::sa_report_supported_tmfs, 0x00, 0x80, 0x00, 0x00,
             "REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS"),
};
constexpr size_t kRtpgIndex = 24;
static_assert(kAll[kRtpgIndex].service_action == op::sa_report_target_port_groups);
static_assert(kRtpgIndex + 3 == std::size(kAll));

constexpr OpcodeInfo kNoAlua[] = {
    kAll[0],  kAll[1],  kAll[2],  kAll[3],  kAll[4],  kAll[5],  kAll[6],  kAll[7],  kAll[8],
    kAll[9],  kAll[10], kAll[11], kAll[12], kAll[13], kAll[14], kAll[15], kAll[16], kAll[17],
    kAll[18], kAll[19], kAll[20], kAll[21], kAll[22], kAll[23], kAll[25], kAll[26],
};

// A pass-through LU forwards TEST UNIT READY and MODE SENSE/SELECT to the
// real device (DeviceInfoFlags::passthrough); no ALUA either.
constexpr OpcodeInfo kPassthrough[] = {
    kAll[1],  kAll[2],  kAll[4],  kAll[5],  kAll[8],  kAll[9],  kAll[11], kAll[12],
    kAll[13], kAll[14], kAll[15], kAll[16], kAll[17], kAll[18], kAll[19], kAll[20],
    kAll[21], kAll[22], kAll[23], kAll[25], kAll[26],
};
static_assert(kAll[0].opcode == op::test_unit_ready && kAll[3].opcode == op::mode_select_6 &&
              kAll[6].opcode == op::mode_sense_6 && kAll[7].opcode == op::mode_select_10 &&
              kAll[10].opcode == op::mode_sense_10);

constexpr OpcodeInfo kWlun[] = {kTestUnitReady, kRequestSense, kInquiry, kReportLuns};

}  // namespace

std::span<const OpcodeInfo> core_rows(PeripheralType type) noexcept {
  if (type == PeripheralType::wlun) return kWlun;
  return kAll;
}

std::span<const OpcodeInfo> core_rows_without_alua(PeripheralType type) noexcept {
  if (type == PeripheralType::wlun) return kWlun;
  return kNoAlua;
}

std::span<const OpcodeInfo> core_rows_for_passthrough(PeripheralType type) noexcept {
  if (type == PeripheralType::wlun) return kWlun;
  return kPassthrough;
}

}  // namespace nexus::scsi
