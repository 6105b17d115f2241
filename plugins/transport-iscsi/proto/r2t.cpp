#include "r2t.h"

#include <algorithm>

#include "pdu.h"

namespace nexus::iscsi {

void DataOutTracker::init(uint32_t expected, uint32_t immediate, bool unsolicited_follows,
                          uint32_t first_burst) {
  expected_ = expected;
  received_ = std::min(immediate, expected);
  unsolicited_pending_ = unsolicited_follows && received_ < expected;
  unsolicited_end_ = std::min(expected, std::max(first_burst, received_));
  next_offset_ = received_;
  r2t_sn_ = 0;
  data_sn_ = 0;
  want_end_ = 0;
  want_pending_ = false;
  r2t_head_ = r2t_count_ = 0;
}

void DataOutTracker::request(uint32_t end) {
  want_end_ = std::min(end, expected_);
  want_pending_ = true;
}

bool DataOutTracker::next_r2t(uint32_t max_burst, uint32_t max_outstanding, uint32_t ttt,
                              R2TPlan* out) {
  // Solicit only once the unsolicited burst is over, so offsets stay in order.
  if (!want_pending_ || unsolicited_pending_) return false;
  uint32_t window = std::min(std::max<uint32_t>(max_outstanding, 1), kMaxOutstanding);
  if (next_offset_ >= want_end_ || r2t_count_ >= window) return false;
  uint32_t len = std::min(want_end_ - next_offset_, std::max<uint32_t>(max_burst, 512));
  *out = R2TPlan{ttt, r2t_sn_++, next_offset_, len};
  r2ts_[(r2t_head_ + r2t_count_) % kMaxOutstanding] =
      Outstanding{ttt, next_offset_, next_offset_ + len};
  ++r2t_count_;
  next_offset_ += len;
  return true;
}

bool DataOutTracker::accept(uint32_t ttt, uint32_t data_sn, uint32_t offset, uint32_t length,
                            bool final, std::string* why) {
  if (data_sn != data_sn_) {
    *why = "Data-Out DataSN " + std::to_string(data_sn) + ", expected " + std::to_string(data_sn_);
    return false;
  }
  if (offset != received_) {
    *why = "Data-Out offset " + std::to_string(offset) + ", expected " + std::to_string(received_);
    return false;
  }
  uint64_t end = uint64_t(offset) + length;
  if (ttt == kReservedTag) {
    if (!unsolicited_pending_ || end > unsolicited_end_) {
      *why = "unexpected unsolicited Data-Out";
      return false;
    }
    received_ = uint32_t(end);
    ++data_sn_;
    if (final || received_ >= unsolicited_end_) {
      unsolicited_pending_ = false;
      data_sn_ = 0;
      next_offset_ = std::max(next_offset_, received_);
    }
    return true;
  }
  if (r2t_count_ == 0 || front().ttt != ttt || end > front().end) {
    *why = "Data-Out does not match an outstanding R2T";
    return false;
  }
  received_ = uint32_t(end);
  ++data_sn_;
  if (received_ == front().end) {
    r2t_head_ = (r2t_head_ + 1) % kMaxOutstanding;
    --r2t_count_;
    data_sn_ = 0;
  }
  return true;
}

}  // namespace nexus::iscsi
