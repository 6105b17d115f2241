// libFuzzer target for sense data coming from a real device: arbitrary bytes
// go through the pass-through handler's decoder (the device is not trusted),
// and whatever it accepts is re-encoded by the core in both formats and
// decoded again. The input is the raw sense buffer, nothing else.
//
// Beyond "no crash, no sanitizer report", the round trip must keep what an
// initiator acts on: sense key, ASC/ASCQ, deferred vs current, FILEMARK /
// EOM / ILI, INFORMATION, the sense-key specific bytes. A difference aborts.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "scsi/sense_encoding.h"
#include "sense_decode.h"

using namespace nexus;

namespace {

constexpr uint8_t kMarks = SenseFlags::filemark | SenseFlags::eom | SenseFlags::ili;

void require(bool ok) {
  if (!ok) std::abort();
}

void same_meaning(const SenseInfo& a, const SenseInfo& b, bool check_info) {
  require(a.key == b.key);
  require(a.asc == b.asc && a.ascq == b.ascq);
  require((a.flags2 & SenseFlags2::deferred) == (b.flags2 & SenseFlags2::deferred));
  require((a.flags & kMarks) == (b.flags & kMarks));
  const bool a_sks = (a.flags & SenseFlags::field_valid) || (a.flags2 & SenseFlags2::sks_raw);
  const bool b_sks = (b.flags & SenseFlags::field_valid) || (b.flags2 & SenseFlags2::sks_raw);
  require(a_sks == b_sks);
  if (a_sks) {
    require(a.field_pointer == b.field_pointer);
    require((a.flags2 & SenseFlags2::sks_raw) == (b.flags2 & SenseFlags2::sks_raw));
    if ((a.flags2 & SenseFlags2::sks_raw) || (a.flags & SenseFlags::field_bit_valid))
      require(a.field_bit == b.field_bit);
  }
  if (check_info) {
    require((a.flags & SenseFlags::info_valid) == (b.flags & SenseFlags::info_valid));
    if (a.flags & SenseFlags::info_valid) require(a.information == b.information);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto decoded = passthrough::decode_sense(std::span<const uint8_t>(data, size));
  if (!decoded) return 0;
  for (auto format : {scsi::SenseFormat::fixed, scsi::SenseFormat::descriptor}) {
    std::array<uint8_t, scsi::kMaxSenseLength> buf{};
    const size_t n = scsi::encode_sense(*decoded, format, buf);
    require(n <= buf.size());
    auto again = scsi::decode_sense(std::span<const uint8_t>(buf.data(), n));
    require(again.has_value());
    // Fixed format holds only a 32-bit INFORMATION field (SPC-4 4.5.3).
    same_meaning(*decoded, *again, format == scsi::SenseFormat::descriptor);
  }
  return 0;
}
