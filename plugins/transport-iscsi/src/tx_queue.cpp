#include "tx_queue.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "crc32c.h"

namespace nexus::iscsi {

size_t TxPdu::total() const {
  size_t n = header_len + trailer_len;
  for (const auto& v : data) n += v.iov_len;
  return n;
}

void TxQueue::push(TxPdu&& pdu, bool header_digest, bool data_digest) {
  q_.push_back(std::move(pdu));
  TxPdu& p = q_.back();
  // `owned` moved with the PDU: point slices at its new home.
  if (!p.owned.empty()) p.data.assign(1, iovec{p.owned.data(), p.owned.size()});
  if (header_digest) {
    put_digest(p.header + kBhsLen, crc32c(p.header, kBhsLen));
    p.header_len = kBhsLen + 4;
  }
  size_t len = 0;
  for (const auto& v : p.data) len += v.iov_len;
  uint32_t pad = uint32_t(padded(uint32_t(len)) - len);
  p.trailer_len = pad;
  if (data_digest && len) {
    uint32_t crc = crc32c_init();
    for (const auto& v : p.data) crc = crc32c_update(crc, v.iov_base, v.iov_len);
    crc = crc32c_update(crc, p.trailer, pad);  // digest covers the padding (§11.2.4)
    put_digest(p.trailer + pad, crc32c_final(crc));
    p.trailer_len += 4;
  }
}

TxQueue::Result TxQueue::flush(int fd) {
  constexpr size_t kMaxIov = 256;
  iovec iov[kMaxIov];
  while (!q_.empty()) {
    size_t n = 0;
    for (auto it = q_.begin(); it != q_.end() && n + 2 + it->data.size() <= kMaxIov; ++it) {
      size_t skip = it == q_.begin() ? it->sent : 0;
      auto add = [&](void* base, size_t len) {
        if (skip >= len) {
          skip -= len;
          return;
        }
        iov[n++] = iovec{static_cast<uint8_t*>(base) + skip, len - skip};
        skip = 0;
      };
      add(it->header, it->header_len);
      for (const auto& v : it->data) add(v.iov_base, v.iov_len);
      add(it->trailer, it->trailer_len);
      if (it->close_after) break;  // nothing after a closing PDU
    }
    if (n == 0) return Result::error;  // a PDU with too many slices
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
    while (left && !q_.empty()) {
      TxPdu& p = q_.front();
      size_t rest = p.total() - p.sent;
      if (left < rest) {
        p.sent += left;
        left = 0;
        break;
      }
      left -= rest;
      bool close_after = p.close_after;
      if (p.release_after) p.release_after->release();
      q_.pop_front();
      if (close_after) return Result::closed_after;
    }
  }
  return Result::done;
}

void TxQueue::clear() {
  while (!q_.empty()) {
    if (q_.front().release_after) q_.front().release_after->release();
    q_.pop_front();
  }
}

}  // namespace nexus::iscsi
