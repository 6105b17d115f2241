// Data-Out bookkeeping of one write command: immediate, unsolicited and
// solicited (R2T) data (RFC 7143 §4.2.5.2, §11.8). We negotiate
// DataPDUInOrder=Yes and DataSequenceInOrder=Yes, so data arrives strictly
// in offset order and one counter tracks what is in the buffer.
#pragma once

#include <cstdint>
#include <string>

namespace nexus::iscsi {

struct R2TPlan {
  uint32_t ttt;
  uint32_t r2t_sn;
  uint32_t offset;
  uint32_t length;
};

class DataOutTracker {
 public:
  // expected: EDTL; immediate: bytes that came with the command;
  // unsolicited_follows: the command had F=0 (§11.3.1).
  void init(uint32_t expected, uint32_t immediate, bool unsolicited_follows, uint32_t first_burst);
  // The core wants bytes [0, end) in the buffer.
  void request(uint32_t end);
  // The next R2T to send, if the window allows; `ttt` is the tag to use.
  bool next_r2t(uint32_t max_burst, uint32_t max_outstanding, uint32_t ttt, R2TPlan* out);
  // Checks a Data-Out PDU against what we expect and accounts for it.
  // False (with *why) on a sequence error: at ErrorRecoveryLevel 0 the
  // connection is then dropped.
  // DataSN counts the PDUs of each sequence from 0 (§11.7.5).
  bool accept(uint32_t ttt, uint32_t data_sn, uint32_t offset, uint32_t length, bool final,
              std::string* why);

  uint32_t received() const { return received_; }
  uint32_t expected() const { return expected_; }
  bool unsolicited_pending() const { return unsolicited_pending_; }
  // A request is open and fully satisfied: call data_out_done().
  bool request_satisfied() const { return want_pending_ && received_ >= want_end_; }
  void clear_request() { want_pending_ = false; }
  bool request_pending() const { return want_pending_; }
  uint32_t outstanding() const { return r2t_count_; }
  // R2Ts we keep in flight at most, whatever MaxOutstandingR2T allows (a
  // target may always send fewer, §13.17); a fixed ring needs no allocation.
  static constexpr uint32_t kMaxOutstanding = 16;

 private:
  struct Outstanding {
    uint32_t ttt, offset, end;
  };
  const Outstanding& front() const { return r2ts_[r2t_head_]; }
  uint32_t expected_ = 0;
  uint32_t received_ = 0;
  bool unsolicited_pending_ = false;
  uint32_t unsolicited_end_ = 0;
  uint32_t next_offset_ = 0;  // first byte not yet solicited
  uint32_t r2t_sn_ = 0;
  uint32_t data_sn_ = 0;  // expected DataSN within the current sequence
  uint32_t want_end_ = 0;
  bool want_pending_ = false;
  Outstanding r2ts_[kMaxOutstanding];
  uint32_t r2t_head_ = 0;
  uint32_t r2t_count_ = 0;
};

}  // namespace nexus::iscsi
