// iSCSI TransportIDs (SPC-4 7.6.4.6): what PR OUT SPEC_I_PT / REGISTER AND
// MOVE name an initiator port with, and what READ FULL STATUS reports.
//   byte 0: FORMAT CODE (7..6) | PROTOCOL IDENTIFIER (3..0) = 5h (iSCSI)
//   byte 1: reserved; bytes 2..3: ADDITIONAL LENGTH (n - 3), >= 20, multiple of 4
//   format 00b: ISCSI NAME, NUL-terminated, NUL-padded (any ISID of that name)
//   format 01b: ISCSI NAME ",i,0x" ISID (12 hex digits), NUL-terminated, padded
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "nexus/scsi.h"

namespace nexus::server::resv {

inline constexpr uint8_t kProtocolIscsi = 0x5;
inline constexpr size_t kMaxIscsiNameLength = 223;  // RFC 7143 §4.2.7.1 (bytes, UTF-8)

struct TransportId {
  std::string name;
  std::string isid;  // lowercase hex; empty for format 00b
};

// One parsed TransportID and where it sat in the parameter list.
struct ParsedTransportId {
  TransportId id;
  uint32_t offset;  // of its first byte in the parameter list
};

// Result of parsing; on failure `sense` is ILLEGAL REQUEST, INVALID FIELD IN
// PARAMETER LIST with the field pointer set to the offending byte counted
// from the start of the parameter list (`base`).
struct TransportIdParse {
  bool ok = false;
  SenseInfo sense{};
  std::vector<ParsedTransportId> ids;
};

// Parses the TransportIDs packed in `data` (which starts at byte `base` of
// the parameter list) until it is used up. `max_ids` bounds the work.
TransportIdParse parse_transport_ids(std::span<const uint8_t> data, uint32_t base, size_t max_ids);

// Encodes a TransportID: format 01b when `isid` is non-empty, else 00b.
std::vector<uint8_t> encode_transport_id(const std::string& name, const std::string& isid);

// True for characters an iSCSI name may hold (RFC 3722 after stringprep,
// RFC 7143 §4.2.7.2): a-z 0-9 . - : and uppercase (we compare
// case-insensitively).
bool valid_iscsi_name(std::string_view name) noexcept;

}  // namespace nexus::server::resv
