#include "tx_queue.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "crc32c.h"

namespace nexus::iscsi {
namespace {
constexpr size_t kInitialSlots = 64;  // a QD32 batch of 4 KiB reads fits
}  // namespace

size_t TxPdu::total() const {
  size_t n = header_len + trailer_len;
  for (const auto& v : data) n += v.iov_len;
  return n;
}

TxQueue::TxQueue() : slots_(kInitialSlots) {}

void TxQueue::grow() {
  // Rare (a deep backlog): move the ring into one twice as large.
  std::vector<TxPdu> bigger(slots_.size() * 2);
  for (size_t i = 0; i < count_; ++i) bigger[i] = std::move(at(i));
  slots_.swap(bigger);
  head_ = 0;
}

void TxQueue::push(TxPdu&& pdu, bool header_digest, bool data_digest) {
  if (count_ == slots_.size()) grow();
  TxPdu& p = at(count_);
  p = std::move(pdu);
  ++count_;
  // `owned` moved with the PDU: point slices at its new home.
  if (!p.owned.empty()) p.data.assign_one(iovec{p.owned.data(), p.owned.size()});
  if (header_digest) {
    put_digest(p.header + kBhsLen, crc32c(p.header, kBhsLen));
    p.header_len = kBhsLen + 4;
  }
  size_t len = 0;
  for (const auto& v : p.data) len += v.iov_len;
  uint32_t pad = uint32_t(padded(uint32_t(len)) - len);
  p.trailer_len = pad;
  std::memset(p.trailer, 0, sizeof p.trailer);
  if (data_digest && len) {
    uint32_t crc = crc32c_init();
    for (const auto& v : p.data) crc = crc32c_update(crc, v.iov_base, v.iov_len);
    crc = crc32c_update(crc, p.trailer, pad);  // digest covers the padding (§11.2.4)
    put_digest(p.trailer + pad, crc32c_final(crc));
    p.trailer_len += 4;
  }
}

void TxQueue::pop_front() {
  TxPdu& p = at(0);
  // Keep the slot's buffers (string, slice vector) for reuse.
  p.owned.clear();
  p.data.clear();
  p.header_len = kBhsLen;
  p.trailer_len = 0;
  p.release_after = nullptr;
  p.close_after = false;
  p.sent = 0;
  head_ = (head_ + 1) & (slots_.size() - 1);
  --count_;
}

TxQueue::Result TxQueue::flush(int fd) {
  constexpr size_t kMaxIov = 256;
  iovec iov[kMaxIov];
  while (count_) {
    size_t n = 0;
    for (size_t i = 0; i < count_; ++i) {
      TxPdu& p = at(i);
      if (n + 2 + p.data.size() > kMaxIov) break;
      size_t skip = i == 0 ? p.sent : 0;
      auto add = [&](void* base, size_t len) {
        if (skip >= len) {
          skip -= len;
          return;
        }
        iov[n++] = iovec{static_cast<uint8_t*>(base) + skip, len - skip};
        skip = 0;
      };
      add(p.header, p.header_len);
      for (const auto& v : p.data) add(v.iov_base, v.iov_len);
      add(p.trailer, p.trailer_len);
      if (p.close_after) break;  // nothing after a closing PDU
    }
    if (n == 0) return Result::error;  // a PDU with too many slices
    size_t asked = 0;
    for (size_t i = 0; i < n; ++i) asked += iov[i].iov_len;
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = n;
    ssize_t w = sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return Result::blocked;
      return Result::error;
    }
    size_t left = size_t(w);
    while (left && count_) {
      TxPdu& p = at(0);
      size_t rest = p.total() - p.sent;
      if (left < rest) {
        p.sent += left;
        left = 0;
        break;
      }
      left -= rest;
      bool close_after = p.close_after;
      ITransportCommand* cmd = p.release_after;
      pop_front();
      if (cmd) cmd->release();
      if (close_after) return Result::closed_after;
    }
    // A short write means the socket buffer is full: wait for writability
    // instead of paying for a sendmsg() that returns EAGAIN.
    if (size_t(w) < asked && count_) return Result::blocked;
  }
  return Result::done;
}

void TxQueue::clear() {
  while (count_) {
    ITransportCommand* cmd = at(0).release_after;
    pop_front();
    if (cmd) cmd->release();
  }
}

}  // namespace nexus::iscsi
