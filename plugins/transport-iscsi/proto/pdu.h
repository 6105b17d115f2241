// iSCSI PDU Basic Header Segment (RFC 7143 §11) encode/decode.
//
// Every PDU type is a plain struct holding the semantic fields of its BHS.
// encode() writes exactly 48 bytes; decode() reads 48 bytes and returns false
// when the opcode does not match or a field is invalid for the type.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nexus::iscsi {

constexpr size_t kBhsLen = 48;
constexpr uint32_t kReservedTag = 0xffffffffu;  // "no task tag"
constexpr uint32_t kMaxDataSegmentLength = (1u << 24) - 1;

enum class Opcode : uint8_t {
  // initiator -> target
  nop_out = 0x00,
  scsi_command = 0x01,
  tmf_request = 0x02,
  login_request = 0x03,
  text_request = 0x04,
  data_out = 0x05,
  logout_request = 0x06,
  snack_request = 0x10,
  // target -> initiator
  nop_in = 0x20,
  scsi_response = 0x21,
  tmf_response = 0x22,
  login_response = 0x23,
  text_response = 0x24,
  data_in = 0x25,
  logout_response = 0x26,
  r2t = 0x31,
  async_message = 0x32,
  reject = 0x3f,
};

// Fields every BHS carries (RFC 7143 §11.2.1).
struct BhsCommon {
  Opcode opcode;
  bool immediate;           // I bit (initiator opcodes only)
  uint8_t total_ahs_words;  // TotalAHSLength in 4-byte words
  uint32_t data_length;     // DataSegmentLength
  uint32_t itt;             // Initiator Task Tag
};
BhsCommon decode_common(const uint8_t* bhs) noexcept;
// True for opcodes an initiator may send.
bool is_initiator_opcode(uint8_t op) noexcept;
// Pads a data segment length up to a multiple of 4.
constexpr uint32_t padded(uint32_t n) noexcept { return (n + 3u) & ~3u; }

struct ScsiCommand {
  bool immediate = false, final = true, read = false, write = false;
  uint8_t attr = 0;  // ATTR field (SAM task attribute, 3 bits)
  uint8_t ahs_words = 0;
  uint32_t data_length = 0;
  uint64_t lun = 0;
  uint32_t itt = 0, expected_length = 0, cmd_sn = 0, exp_stat_sn = 0;
  uint8_t cdb[16] = {};
  void encode(uint8_t* bhs) const noexcept;
  static bool decode(const uint8_t* bhs, ScsiCommand* out) noexcept;
};

struct ScsiResponse {
  bool bidi_overflow = false, bidi_underflow = false, overflow = false, underflow = false;
  uint8_t response = 0;  // 0 = command completed at target
  uint8_t status = 0;
  uint32_t data_length = 0;
  uint32_t itt = 0, snack_tag = 0, stat_sn = 0, exp_cmd_sn = 0, max_cmd_sn = 0;
  uint32_t exp_data_sn = 0, bidi_residual = 0, residual = 0;
  void encode(uint8_t* bhs) const noexcept;
  static bool decode(const uint8_t* bhs, ScsiResponse* out) noexcept;
};

struct DataOut {
  bool final = false;
  uint32_t data_length = 0;
  uint64_t lun = 0;
  uint32_t itt = 0, ttt = kReservedTag, exp_stat_sn = 0, data_sn = 0, buffer_offset = 0;
  void encode(uint8_t* bhs) const noexcept;
  static bool decode(const uint8_t* bhs, DataOut* out) noexcept;
};

struct DataIn {
  bool final = false, ack = false, overflow = false, underflow = false, has_status = false;
  uint8_t status = 0;
  uint32_t data_length = 0;
  uint64_t lun = 0;
  uint32_t itt = 0, ttt = kReservedTag, stat_sn = 0, exp_cmd_sn = 0, max_cmd_sn = 0;
  uint32_t data_sn = 0, buffer_offset = 0, residual = 0;
  void encode(uint8_t* bhs) const noexcept;
  static bool decode(const uint8_t* bhs, DataIn* out) noexcept;
};

struct R2T {
  uint64_t lun = 0;
  uint32_t itt = 0, ttt = 0, stat_sn = 0, exp_cmd_sn = 0, max_cmd_sn = 0;
  uint32_t r2t_sn = 0, buffer_offset = 0, desired_length = 0;
  void encode(uint8_t* bhs) const noexcept;
  static bool decode(const uint8_t* bhs, R2T* out) noexcept;
};

struct TaskMgmtRequest {
  bool immediate = false;
  uint8_t function = 0;  // RFC 7143 §11.5.1 / RFC 7144 codes
  uint64_t lun = 0;
  uint32_t itt = 0, referenced_tag = kReservedTag, cmd_sn = 0, exp_stat_sn = 0;
  uint32_t ref_cmd_sn = 0, exp_data_sn = 0;
  void encode(uint8_t* bhs) const noexcept;
  static bool decode(const uint8_t* bhs, TaskMgmtRequest* out) noexcept;
};

struct TaskMgmtResponse {
  uint8_t response = 0;
  uint32_t itt = 0, stat_sn = 0, exp_cmd_sn = 0, max_cmd_sn = 0;
  void encode(uint8_t* bhs) const noexcept;
  static bool decode(const uint8_t* bhs, TaskMgmtResponse* out) noexcept;
};

// Login stages (RFC 7143 §11.12.3).
enum class Stage : uint8_t { security = 0, operational = 1, full_feature = 3 };

struct LoginRequest {
  bool transit = false, cont = false;
  uint8_t csg = 0, nsg = 0, version_max = 0, version_min = 0;
  uint32_t data_length = 0;
  uint64_t isid = 0;  // 48 bits
  uint16_t tsih = 0, cid = 0;
  uint32_t itt = 0, cmd_sn = 0, exp_stat_sn = 0;
  void encode(uint8_t* bhs) const noexcept;
  static bool decode(const uint8_t* bhs, LoginRequest* out) noexcept;
};

struct LoginResponse {
  bool transit = false, cont = false;
  uint8_t csg = 0, nsg = 0, version_max = 0, version_active = 0;
  uint32_t data_length = 0;
  uint64_t isid = 0;
  uint16_t tsih = 0;
  uint32_t itt = 0, stat_sn = 0, exp_cmd_sn = 0, max_cmd_sn = 0;
  uint8_t status_class = 0, status_detail = 0;
  void encode(uint8_t* bhs) const noexcept;
  static bool decode(const uint8_t* bhs, LoginResponse* out) noexcept;
};

struct TextRequest {
  bool immediate = false, final = true, cont = false;
  uint32_t data_length = 0;
  uint64_t lun = 0;
  uint32_t itt = 0, ttt = kReservedTag, cmd_sn = 0, exp_stat_sn = 0;
  void encode(uint8_t* bhs) const noexcept;
  static bool decode(const uint8_t* bhs, TextRequest* out) noexcept;
};

struct TextResponse {
  bool final = true, cont = false;
  uint32_t data_length = 0;
  uint64_t lun = 0;
  uint32_t itt = 0, ttt = kReservedTag, stat_sn = 0, exp_cmd_sn = 0, max_cmd_sn = 0;
  void encode(uint8_t* bhs) const noexcept;
  static bool decode(const uint8_t* bhs, TextResponse* out) noexcept;
};

struct LogoutRequest {
  bool immediate = false;
  uint8_t reason = 0;  // 0 close session, 1 close connection, 2 remove for recovery
  uint16_t cid = 0;
  uint32_t itt = 0, cmd_sn = 0, exp_stat_sn = 0;
  void encode(uint8_t* bhs) const noexcept;
  static bool decode(const uint8_t* bhs, LogoutRequest* out) noexcept;
};

struct LogoutResponse {
  uint8_t response = 0;
  uint32_t itt = 0, stat_sn = 0, exp_cmd_sn = 0, max_cmd_sn = 0;
  uint16_t time2wait = 0, time2retain = 0;
  void encode(uint8_t* bhs) const noexcept;
  static bool decode(const uint8_t* bhs, LogoutResponse* out) noexcept;
};

struct NopOut {
  bool immediate = false;
  uint32_t data_length = 0;
  uint64_t lun = 0;
  uint32_t itt = kReservedTag, ttt = kReservedTag, cmd_sn = 0, exp_stat_sn = 0;
  void encode(uint8_t* bhs) const noexcept;
  static bool decode(const uint8_t* bhs, NopOut* out) noexcept;
};

struct NopIn {
  uint32_t data_length = 0;
  uint64_t lun = 0;
  uint32_t itt = kReservedTag, ttt = kReservedTag, stat_sn = 0, exp_cmd_sn = 0, max_cmd_sn = 0;
  void encode(uint8_t* bhs) const noexcept;
  static bool decode(const uint8_t* bhs, NopIn* out) noexcept;
};

// Reject reasons (RFC 7143 §11.17.1).
enum class RejectReason : uint8_t {
  data_digest_error = 0x02,
  snack_reject = 0x03,
  protocol_error = 0x04,
  command_not_supported = 0x05,
  immediate_command_reject = 0x06,
  task_in_progress = 0x07,
  invalid_data_ack = 0x08,
  invalid_pdu_field = 0x09,
  long_operation_reject = 0x0a,
  waiting_for_logout = 0x0c,
};

struct Reject {
  uint8_t reason = 0;
  uint32_t data_length = 0;  // the rejected PDU's header follows as data
  uint32_t stat_sn = 0, exp_cmd_sn = 0, max_cmd_sn = 0, data_sn = 0;
  void encode(uint8_t* bhs) const noexcept;
  static bool decode(const uint8_t* bhs, Reject* out) noexcept;
};

struct AsyncMessage {
  uint32_t data_length = 0;
  uint64_t lun = 0;
  uint32_t stat_sn = 0, exp_cmd_sn = 0, max_cmd_sn = 0;
  uint8_t event = 0, vcode = 0;
  uint16_t param1 = 0, param2 = 0, param3 = 0;
  void encode(uint8_t* bhs) const noexcept;
  static bool decode(const uint8_t* bhs, AsyncMessage* out) noexcept;
};

// AsyncEvent codes (RFC 7143 §11.9.1).
constexpr uint8_t kAsyncLogoutRequest = 1;

}  // namespace nexus::iscsi
