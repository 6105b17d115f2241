// Outgoing PDUs of one connection, written with gathering sendmsg() calls:
// several PDUs (e.g. all Data-In of a READ plus its status, or the responses
// of every command a read batch completed) go out in one syscall; a partial
// write leaves the rest queued for the next writable event. The queue is a
// ring of reusable slots and a PDU keeps its data slices inline, so steady
// state needs no heap allocation (DESIGN.md lesson 5).
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <string>
#include <vector>

#include "nexus/transport.h"
#include "pdu.h"

namespace nexus::iscsi {

// Data slices of one PDU: a few inline (a Data-In PDU rarely spans more than
// two buffer segments), more on the heap.
class IovList {
 public:
  static constexpr uint32_t kInline = 4;
  void push_back(const iovec& v) {
    if (n_ < kInline) {
      inline_[n_++] = v;
      return;
    }
    if (n_ == kInline) heap_.assign(inline_, inline_ + kInline);
    heap_.push_back(v);
    ++n_;
  }
  void assign_one(const iovec& v) {
    clear();
    push_back(v);
  }
  void clear() {
    n_ = 0;
    heap_.clear();
  }
  size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  const iovec* begin() const { return n_ <= kInline ? inline_ : heap_.data(); }
  const iovec* end() const { return begin() + n_; }

 private:
  iovec inline_[kInline];
  uint32_t n_ = 0;
  std::vector<iovec> heap_;
};

struct TxPdu {
  uint8_t header[kBhsLen + 4];
  uint32_t header_len = kBhsLen;
  std::string owned;        // data owned by the PDU (text, sense, ping data)
  IovList data;             // data slices (into `owned` or a command buffer)
  uint8_t trailer[8] = {};  // padding + data digest
  uint32_t trailer_len = 0;
  ITransportCommand* release_after = nullptr;  // released once fully written
  bool close_after = false;                    // close the connection once written
  size_t sent = 0;
  size_t total() const;
};

class TxQueue {
 public:
  TxQueue();
  ~TxQueue() { clear(); }
  TxQueue(const TxQueue&) = delete;
  TxQueue& operator=(const TxQueue&) = delete;
  // Finishes a PDU (digests, padding) and queues it. `header` is the 48-byte
  // BHS already encoded into pdu.header.
  void push(TxPdu&& pdu, bool header_digest, bool data_digest);
  enum class Result : uint8_t { done, blocked, closed_after, error };
  // Writes as much as the socket takes.
  Result flush(int fd);
  bool empty() const { return count_ == 0; }
  size_t size() const { return count_; }
  // Drops everything, releasing the commands the PDUs referenced.
  void clear();

 private:
  TxPdu& at(size_t i) { return slots_[(head_ + i) & (slots_.size() - 1)]; }
  void pop_front();
  void grow();

  std::vector<TxPdu> slots_;  // power-of-two ring
  size_t head_ = 0;
  size_t count_ = 0;
};

}  // namespace nexus::iscsi
