// GET CONFIGURATION (MMC-6): the feature header with the current profile
// and the feature descriptors of a read-only CD/DVD-ROM drive.
//
// Profiles: DVD-ROM (0010h) and CD-ROM (0008h), listed highest first; the
// current one follows the disc (disc_layout.h), 0000h without a disc.
// Features (ascending, as MMC-6 requires):
//   0000h Profile List        persistent, current
//   0001h Core v2             persistent, current; SCSI family interface;
//                             INQ2, DBE (we answer the Device Busy class)
//   0002h Morphing v1         persistent, current; OCEvent (polled only)
//   0003h Removable Medium v2 persistent, current; tray, Load, Eject,
//                             Pvnt Jmpr=1 (no prevent jumper), Lock
//   0010h Random Readable     current with a disc; 2048-byte blocks
//   001Eh CD Read v2          current with a CD
//   001Fh DVD Read v1         current with a DVD
#include <vector>

#include "cdrom_device.h"
#include "nexus/bytes.hpp"

namespace nexus::cdrom {
namespace {

// RT field of the CDB.
constexpr uint8_t kRtAll = 0, kRtCurrent = 1, kRtOne = 2;

struct Feature {
  uint16_t code;
  uint8_t version;
  bool persistent;
  bool current;
  std::vector<uint8_t> data;  // additional data after the 4-byte header
};

std::vector<Feature> features(const DiscLayout* disc) {
  const bool cd = disc && disc->kind == DiscKind::cd;
  const bool dvd = disc && disc->kind == DiscKind::dvd;
  std::vector<Feature> f;
  f.push_back({0x0000,
               0,
               true,
               true,
               {0x00, 0x10, uint8_t(dvd ? 0x01 : 0x00), 0x00,    // DVD-ROM, CurrentP
                0x00, 0x08, uint8_t(cd ? 0x01 : 0x00), 0x00}});  // CD-ROM, CurrentP
  f.push_back({0x0001,
               2,
               true,
               true,
               {0x00, 0x00, 0x00, 0x01,     // Physical Interface Standard: SCSI family
                0x03, 0x00, 0x00, 0x00}});  // INQ2, DBE
  f.push_back({0x0002, 1, true, true, {0x02, 0x00, 0x00, 0x00}});  // OCEvent, ASYNC=0
  // Loading Mechanism Type 001b (tray), Load, Eject, Pvnt Jmpr, Lock.
  f.push_back({0x0003, 2, true, true, {(0x1 << 5) | 0x10 | 0x08 | 0x04 | 0x01, 0x00, 0x00, 0x00}});
  {
    std::vector<uint8_t> rr(8, 0);
    put_be32(rr.data(), DiscImage::kBlockSize);  // Logical Block Size
    put_be16(rr.data() + 4, dvd ? 16 : 1);       // Blocking
    rr[6] = 0x00;                                // PP: no Read/Write Error Recovery page
    f.push_back({0x0010, 0, false, disc != nullptr, rr});
  }
  f.push_back({0x001E, 2, false, cd, {0x00, 0x00, 0x00, 0x00}});   // no DAP, C2, CD-Text
  f.push_back({0x001F, 1, false, dvd, {0x00, 0x00, 0x00, 0x00}});  // no MULTI110, dual layer
  return f;
}

void append(std::vector<uint8_t>& out, const Feature& f) {
  size_t at = out.size();
  out.resize(at + 4 + f.data.size());
  put_be16(&out[at], f.code);
  out[at + 2] = uint8_t((f.version << 2) | (f.persistent ? 0x02 : 0) | (f.current ? 0x01 : 0));
  out[at + 3] = uint8_t(f.data.size());  // Additional Length
  std::copy(f.data.begin(), f.data.end(), out.begin() + at + 4);
}

}  // namespace

void CdromDevice::get_configuration(IDeviceCommand* cmd, const Snapshot& s) noexcept {
  const uint8_t* c = cmd->cdb().data;
  const uint8_t rt = c[1] & 0x03;
  const uint16_t start = get_be16(c + 2);
  if (rt == 3) return fail(cmd, sense::invalid_field_in_cdb(1, 1));
  try {
    const DiscLayout* disc = s.image ? &s.layout : nullptr;
    std::vector<uint8_t> out(8, 0);
    for (const Feature& f : features(disc)) {
      bool take =
          rt == kRtOne ? f.code == start : f.code >= start && (rt != kRtCurrent || f.current);
      if (take) append(out, f);
    }
    put_be32(out.data(), uint32_t(out.size() - 4));                   // Data Length excludes itself
    put_be16(out.data() + 6, disc ? disc->profile() : kProfileNone);  // Current Profile
    reply(cmd, out.data(), out.size());
  } catch (...) {
    fail(cmd, sense::internal_target_failure());
  }
}

}  // namespace nexus::cdrom
