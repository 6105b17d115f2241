// Outgoing PDUs of one connection, written with gathering sendmsg() calls:
// several PDUs (e.g. all Data-In of a READ plus its status) go out in one
// syscall; a partial write leaves the rest queued for the next writable event.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "nexus/transport.h"
#include "pdu.h"

namespace nexus::iscsi {

struct TxPdu {
  uint8_t header[kBhsLen + 4];
  uint32_t header_len = kBhsLen;
  std::string owned;        // data owned by the PDU (text, sense, ping data)
  std::vector<iovec> data;  // data slices (into `owned` or a command buffer)
  uint8_t trailer[8] = {};  // padding + data digest
  uint32_t trailer_len = 0;
  ITransportCommand* release_after = nullptr;  // released once fully written
  bool close_after = false;                    // close the connection once written
  size_t sent = 0;
  size_t total() const;
};

class TxQueue {
 public:
  ~TxQueue() { clear(); }
  // Finishes a PDU (digests, padding) and queues it. `header` is the 48-byte
  // BHS already encoded into pdu.header.
  void push(TxPdu&& pdu, bool header_digest, bool data_digest);
  enum class Result : uint8_t { done, blocked, closed_after, error };
  // Writes as much as the socket takes.
  Result flush(int fd);
  bool empty() const { return q_.empty(); }
  size_t size() const { return q_.size(); }
  // Drops everything, releasing the commands the PDUs referenced.
  void clear();

 private:
  std::deque<TxPdu> q_;
};

}  // namespace nexus::iscsi
