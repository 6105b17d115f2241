#include "opcode_catalog.h"

#include <algorithm>
#include <array>

namespace nexus::passthrough {
namespace {

using F = OpcodeFlags;

// Control byte (SAM-5 5.2): the two vendor-specific bits pass (MMC hosts put
// the old READ TOC format there); NACA is rejected by the core (no ACA,
// NormACA=0) and LINK / FLAG are obsolete (SAM-5 has no linked commands).
constexpr uint8_t kCtl = 0xC0;

// Nominal timeouts (reported by RSOC in seconds, SPC-4 6.35.4).
constexpr uint32_t kShortMs = 60'000;
constexpr uint32_t kIoMs = 900'000;       // tape / optical data transfer: 15 min
constexpr uint32_t kLongMs = 14'400'000;  // motion, flush, self-test: 4 h
constexpr uint32_t kHugeMs = 86'400'000;  // long erase, format, sanitize: 24 h

// Every forwarded row: the device reports NOT READY / MEDIUM NOT PRESENT
// itself, the core must not answer in its place.
constexpr uint32_t kFwd = F::ok_on_no_medium | F::ok_when_not_ready;
constexpr uint32_t kAlloc = F::allocation_length;
constexpr uint32_t kSer = F::serialize_lu;
constexpr uint32_t kWm = F::writes_medium;
constexpr uint32_t kLba = F::lba_range;

constexpr DataDir kIn = DataDir::read;
constexpr DataDir kOut = DataDir::write;
constexpr LengthUnit kBytes = LengthUnit::bytes;
constexpr LengthUnit kBlocks = LengthUnit::blocks;
constexpr LengthUnit kDev = LengthUnit::device;
constexpr ResvClass kAllowed = ResvClass::allowed;
constexpr ResvClass kRead = ResvClass::read;
constexpr ResvClass kWrite = ResvClass::write;
constexpr ResvClass kConflict = ResvClass::conflict;

// A restriction of one CDB byte's usage mask (index 0: none).
struct Mask {
  uint8_t index = 0;
  uint8_t bits = 0xFF;
};

// One forwarded command. Usage defaults to 0xFF for every byte between the
// opcode and the control byte (the device checks its own reserved bits);
// masks only remove bits whose effect on the data length we cannot model.
struct Spec {
  uint8_t op;
  uint8_t len;
  const char* name;
  DataDir dir = DataDir::none;
  LengthUnit unit = LengthUnit::none;
  uint8_t len_off = 0;
  uint8_t len_size = 0;
  ResvClass resv = kConflict;  // unknown -> blocked by any foreign reservation
  uint32_t flags = 0;
  uint32_t timeout_ms = kShortMs;
  int sa = -1;  // >= 0: service action row
  uint8_t lba_off = 0;
  uint8_t lba_size = 0;
  Mask m1{};
  Mask m2{};
};

constexpr OpcodeInfo make(const Spec& s) {
  OpcodeInfo o{};
  o.opcode = s.op;
  o.cdb_length = s.len;
  o.flags = s.flags | kFwd;
  if (s.sa >= 0) {
    o.flags |= F::service_action;
    o.service_action = uint16_t(s.sa);
  }
  o.direction = s.dir;
  o.len_unit = s.unit;
  o.len_offset = s.len_off;
  o.len_size = s.len_size;
  o.lba_offset = s.lba_off;
  o.lba_size = s.lba_size;
  o.resv_class = s.resv;
  o.usage[0] = s.op;
  for (size_t i = 1; i + 1 < s.len && i < sizeof o.usage; ++i) o.usage[i] = 0xFF;
  if (s.len <= sizeof o.usage) o.usage[s.len - 1] = kCtl;
  for (const Mask& m : {s.m1, s.m2})
    if (m.index != 0 && m.index + 1 < s.len) o.usage[m.index] = m.bits;
  o.timeout_ms = s.timeout_ms;
  o.name = s.name;
  return o;
}

template <size_t... N>
constexpr auto concat(const std::array<OpcodeInfo, N>&... parts) {
  std::array<OpcodeInfo, (N + ...)> out{};
  size_t i = 0;
  ((std::copy(parts.begin(), parts.end(), out.begin() + i), i += N), ...);
  return out;
}

// ---------------------------------------------------------------- SPC-4
// Reservation classes follow SPC-4 5.13.1 (Table 63 of SPC-3; "SPC commands
// that are allowed in the presence of various reservations").

// Every device type. TEST UNIT READY and MODE SENSE/SELECT duplicate the
// core's rows (see the header); their classes match the core's.
constexpr std::array kSpcBase = {
    // SPC-4 6.37 TEST UNIT READY: allowed under every PR type (the core makes
    // it conflict under SPC-2 RESERVE by opcode).
    make({.op = 0x00, .len = 6, .name = "TEST UNIT READY", .resv = kAllowed}),
    // SPC-4 6.11 MODE SELECT(6): PARAMETER LIST LENGTH byte 4. Changes
    // LU-wide state: runs alone (the core raises MODE PARAMETERS CHANGED).
    make({.op = 0x15,
          .len = 6,
          .name = "MODE SELECT(6)",
          .dir = kOut,
          .unit = kBytes,
          .len_off = 4,
          .len_size = 1,
          .flags = kSer}),
    // SPC-4 6.13 MODE SENSE(6): ALLOCATION LENGTH byte 4; `read` as the core.
    make({.op = 0x1A,
          .len = 6,
          .name = "MODE SENSE(6)",
          .dir = kIn,
          .unit = kBytes,
          .len_off = 4,
          .len_size = 1,
          .resv = kRead,
          .flags = kAlloc}),
    // SPC-4 6.28 RECEIVE DIAGNOSTIC RESULTS: ALLOCATION LENGTH bytes 3-4; Conflict.
    make({.op = 0x1C,
          .len = 6,
          .name = "RECEIVE DIAGNOSTIC RESULTS",
          .dir = kIn,
          .unit = kBytes,
          .len_off = 3,
          .len_size = 2,
          .flags = kAlloc}),
    // SPC-4 6.42 SEND DIAGNOSTIC: PARAMETER LIST LENGTH bytes 3-4; Conflict.
    // A foreground extended self-test takes minutes.
    make({.op = 0x1D,
          .len = 6,
          .name = "SEND DIAGNOSTIC",
          .dir = kOut,
          .unit = kBytes,
          .len_off = 3,
          .len_size = 2,
          .timeout_ms = kLongMs}),
    // SPC-4 6.12 MODE SELECT(10) / 6.14 MODE SENSE(10): bytes 7-8.
    make({.op = 0x55,
          .len = 10,
          .name = "MODE SELECT(10)",
          .dir = kOut,
          .unit = kBytes,
          .len_off = 7,
          .len_size = 2,
          .flags = kSer}),
    make({.op = 0x5A,
          .len = 10,
          .name = "MODE SENSE(10)",
          .dir = kIn,
          .unit = kBytes,
          .len_off = 7,
          .len_size = 2,
          .resv = kRead,
          .flags = kAlloc}),
    // SPC-4 6.49 WRITE BUFFER: PARAMETER LIST LENGTH bytes 6-8; Conflict.
    // Downloads microcode: alone on the LU, and refused on a read-only LUN
    // (writes_medium) since it changes what the device stores.
    make({.op = 0x3B,
          .len = 10,
          .name = "WRITE BUFFER",
          .dir = kOut,
          .unit = kBytes,
          .len_off = 6,
          .len_size = 3,
          .flags = kSer | kWm,
          .timeout_ms = kLongMs}),
    // SPC-4 6.17 READ BUFFER(10): ALLOCATION LENGTH bytes 6-8; Conflict.
    make({.op = 0x3C,
          .len = 10,
          .name = "READ BUFFER(10)",
          .dir = kIn,
          .unit = kBytes,
          .len_off = 6,
          .len_size = 3,
          .flags = kAlloc}),
    // SPC-4 6.7 LOG SELECT: PARAMETER LIST LENGTH bytes 7-8; Conflict, alone
    // on the LU (LU-wide parameters, LOG PARAMETERS CHANGED for the others).
    make({.op = 0x4C,
          .len = 10,
          .name = "LOG SELECT",
          .dir = kOut,
          .unit = kBytes,
          .len_off = 7,
          .len_size = 2,
          .flags = kSer}),
    // SPC-4 6.8 LOG SENSE: ALLOCATION LENGTH bytes 7-8; Allowed under every
    // reservation (SPC-4 5.13.1 table; SPC-2 Annex B).
    make({.op = 0x4D,
          .len = 10,
          .name = "LOG SENSE",
          .dir = kIn,
          .unit = kBytes,
          .len_off = 7,
          .len_size = 2,
          .resv = kAllowed,
          .flags = kAlloc}),
};

// MAINTENANCE IN / OUT service actions that describe the LU, not the I_T
// nexus (REPORT/SET PRIORITY and the ALUA ones are per nexus or the core's;
// RTPG, RSOC and RSTMF are core rows). Not for MMC, where A3h/A4h are SEND
// KEY / REPORT KEY.
constexpr std::array kMaintenance = {
    // SPC-4 6.30 REPORT IDENTIFYING INFORMATION: ALLOCATION LENGTH bytes 6-9; Allowed.
    make({.op = 0xA3,
          .len = 12,
          .name = "REPORT IDENTIFYING INFORMATION",
          .dir = kIn,
          .unit = kBytes,
          .len_off = 6,
          .len_size = 4,
          .resv = kAllowed,
          .flags = kAlloc,
          .sa = 0x05}),
    // SPC-4 6.38 REPORT TIMESTAMP: ALLOCATION LENGTH bytes 6-9; Allowed.
    make({.op = 0xA3,
          .len = 12,
          .name = "REPORT TIMESTAMP",
          .dir = kIn,
          .unit = kBytes,
          .len_off = 6,
          .len_size = 4,
          .resv = kAllowed,
          .flags = kAlloc,
          .sa = 0x0F}),
    // SPC-4 6.45 SET IDENTIFYING INFORMATION: PARAMETER LIST LENGTH bytes 6-9; Conflict.
    make({.op = 0xA4,
          .len = 12,
          .name = "SET IDENTIFYING INFORMATION",
          .dir = kOut,
          .unit = kBytes,
          .len_off = 6,
          .len_size = 4,
          .sa = 0x06}),
    // SPC-4 6.48 SET TIMESTAMP: PARAMETER LIST LENGTH bytes 6-9; Conflict.
    make({.op = 0xA4,
          .len = 12,
          .name = "SET TIMESTAMP",
          .dir = kOut,
          .unit = kBytes,
          .len_off = 6,
          .len_size = 4,
          .sa = 0x0F}),
};

// SPC-4 6.30 / 6.31 SECURITY PROTOCOL IN / OUT: length bytes 6-9. INC_512
// (byte 4 bit 7) would count the length in 512-byte units, which the row
// cannot express: masked. Conflict (not in the allowed list of SPC-4 5.13.1
// as far as we know; unsure, so the safe class).
constexpr OpcodeInfo security_in() {
  return make({.op = 0xA2,
               .len = 12,
               .name = "SECURITY PROTOCOL IN",
               .dir = kIn,
               .unit = kBytes,
               .len_off = 6,
               .len_size = 4,
               .flags = kAlloc,
               .m1 = {4, 0x7F}});
}
// On disks SECURITY PROTOCOL OUT can erase the medium (TCG Opal revert,
// crypto erase): refused on read-only LUNs. Tapes use it to load the
// decryption key a reader needs, so not there.
constexpr OpcodeInfo security_out(bool writes) {
  return make({.op = 0xB5,
               .len = 12,
               .name = "SECURITY PROTOCOL OUT",
               .dir = kOut,
               .unit = kBytes,
               .len_off = 6,
               .len_size = 4,
               .flags = writes ? kWm : 0u,
               .m1 = {4, 0x7F}});
}

// SPC-4 6.13 / SBC-3 / SSC-3 7.3 / SMC-3 / MMC-6 PREVENT ALLOW MEDIUM
// REMOVAL: PREVENT=00b is Allowed, anything else Conflict; the class cannot
// depend on the CDB, so Conflict. The prevention is per I_T nexus (SPC-4
// 6.13): the handler must only forward ALLOW once no nexus prevents.
constexpr OpcodeInfo prevent_allow() {
  return make({.op = 0x1E, .len = 6, .name = "PREVENT ALLOW MEDIUM REMOVAL"});
}

// SPC-4 6.16 READ ATTRIBUTE (ALLOCATION LENGTH bytes 10-13) / 6.50 WRITE
// ATTRIBUTE (PARAMETER LIST LENGTH bytes 10-13): both Conflict. WRITE
// ATTRIBUTE changes the cartridge's medium auxiliary memory.
constexpr std::array kAttributes = {
    make({.op = 0x8C,
          .len = 16,
          .name = "READ ATTRIBUTE",
          .dir = kIn,
          .unit = kBytes,
          .len_off = 10,
          .len_size = 4,
          .flags = kAlloc}),
    make({.op = 0x8D,
          .len = 16,
          .name = "WRITE ATTRIBUTE",
          .dir = kOut,
          .unit = kBytes,
          .len_off = 10,
          .len_size = 4,
          .flags = kWm}),
};

// SPC-4 6.21 READ MEDIA SERIAL NUMBER (SERVICE ACTION IN(12) ABh/01h):
// ALLOCATION LENGTH bytes 6-9; Allowed.
constexpr OpcodeInfo read_media_serial() {
  return make({.op = 0xAB,
               .len = 12,
               .name = "READ MEDIA SERIAL NUMBER",
               .dir = kIn,
               .unit = kBytes,
               .len_off = 6,
               .len_size = 4,
               .resv = kAllowed,
               .flags = kAlloc,
               .sa = 0x01});
}

// ---------------------------------------------------------------- SBC-3
// Classes from SBC-3 4.17 ("SBC commands that are allowed in the presence of
// various reservations"): reads and VERIFY/PRE-FETCH/GET LBA STATUS are
// Allowed under Write Exclusive (`read`), READ CAPACITY everywhere
// (`allowed`), writes, UNMAP, FORMAT UNIT, SANITIZE and SYNCHRONIZE CACHE are
// Conflict (`write`), READ DEFECT DATA and START STOP UNIT (unless START=1
// with POWER CONDITION 0) Conflict.

// Byte 1 bits 7-5 (RDPROTECT / WRPROTECT / VRPROTECT) would add 8 bytes of
// protection information per block (SBC-3 4.22), which LengthUnit::blocks
// cannot express: masked.
constexpr Mask kNoProtect{1, 0x1F};

constexpr Spec rw(uint8_t op, uint8_t len, const char* name, bool write) {
  // READ/WRITE(10): LBA 2-5, length 7-8; (12): 2-5, 6-9; (16): 2-9, 10-13.
  const uint8_t lba_size = len == 16 ? 8 : 4;
  const uint8_t len_off = len == 10 ? 7 : len == 12 ? 6 : 10;
  const uint8_t len_size = len == 10 ? 2 : 4;
  return {.op = op,
          .len = len,
          .name = name,
          .dir = write ? kOut : kIn,
          .unit = kBlocks,
          .len_off = len_off,
          .len_size = len_size,
          .resv = write ? kWrite : kRead,
          .flags = write ? kLba | kWm : kLba,
          .lba_off = 2,
          .lba_size = lba_size,
          .m1 = kNoProtect};
}

constexpr Spec verify(uint8_t op, uint8_t len, const char* name) {
  // SBC-3 5.27-5.29: BYTCHK (byte 1 bits 2-1) decides the Data-Out.
  Spec s = rw(op, len, name, false);
  s.dir = kOut;
  s.flags |= F::len_bit_bytchk;
  return s;
}

constexpr Spec no_data_range(uint8_t op, uint8_t len, const char* name, ResvClass resv,
                             uint32_t timeout) {
  // SYNCHRONIZE CACHE / PRE-FETCH: the NUMBER OF LOGICAL BLOCKS field is a
  // range, not a transfer: LengthUnit::none, but lba_range orders PRE-FETCH
  // (class `read`) against overlapping writes.
  Spec s = rw(op, len, name, false);
  s.dir = DataDir::none;
  s.unit = LengthUnit::none;
  s.resv = resv;
  s.timeout_ms = timeout;
  s.m1 = {};
  return s;
}

constexpr Spec write_same(uint8_t op, uint8_t len, const char* name, Mask m1) {
  // SBC-3 5.47 / 5.48: exactly one block of Data-Out whatever NUMBER OF
  // LOGICAL BLOCKS says (0 = to the end of the medium, ordered against the
  // whole LU); zeroing a whole LU takes long.
  Spec s = rw(op, len, name, true);
  s.unit = LengthUnit::one_block;
  s.flags |= F::exact_data_out;
  s.timeout_ms = kLongMs;
  s.m1 = m1;
  return s;
}

constexpr std::array kSbc = {
    // SBC-3 5.12 / 5.40 READ(6) / WRITE(6): 21-bit LBA in bytes 1-3, TRANSFER
    // LENGTH byte 4, 0 = 256 blocks. Byte 1 bits 7-5 reserved.
    make({.op = 0x08,
          .len = 6,
          .name = "READ(6)",
          .dir = kIn,
          .unit = kBlocks,
          .len_off = 4,
          .len_size = 1,
          .resv = kRead,
          .flags = kLba | F::len0_is_256,
          .lba_off = 1,
          .lba_size = 3,
          .m1 = {1, 0x1F}}),
    make({.op = 0x0A,
          .len = 6,
          .name = "WRITE(6)",
          .dir = kOut,
          .unit = kBlocks,
          .len_off = 4,
          .len_size = 1,
          .resv = kWrite,
          .flags = kLba | kWm | F::len0_is_256,
          .lba_off = 1,
          .lba_size = 3,
          .m1 = {1, 0x1F}}),
    // SBC-3 5.13 / 5.41 / 5.14 / 5.42 / 5.15 / 5.43.
    make(rw(0x28, 10, "READ(10)", false)),
    make(rw(0x2A, 10, "WRITE(10)", true)),
    make(rw(0xA8, 12, "READ(12)", false)),
    make(rw(0xAA, 12, "WRITE(12)", true)),
    make(rw(0x88, 16, "READ(16)", false)),
    make(rw(0x8A, 16, "WRITE(16)", true)),
    // SBC-3 5.44-5.46 WRITE AND VERIFY: blocks of Data-Out.
    make(rw(0x2E, 10, "WRITE AND VERIFY(10)", true)),
    make(rw(0xAE, 12, "WRITE AND VERIFY(12)", true)),
    make(rw(0x8E, 16, "WRITE AND VERIFY(16)", true)),
    make(verify(0x2F, 10, "VERIFY(10)")),
    make(verify(0xAF, 12, "VERIFY(12)")),
    make(verify(0x8F, 16, "VERIFY(16)")),
    // WRITE SAME(10): ANCHOR/UNMAP/PBDATA/LBDATA pass.
    make(write_same(0x41, 10, "WRITE SAME(10)", kNoProtect)),
    // WRITE SAME(16): NDOB (byte 1 bit 0, no Data-Out) masked too since the
    // row always expects one block.
    make(write_same(0x93, 16, "WRITE SAME(16)", {1, 0x1E})),
    // SBC-3 5.2 COMPARE AND WRITE: NUMBER OF LOGICAL BLOCKS byte 13, Data-Out
    // is twice that (verify + write instance).
    make({.op = 0x89,
          .len = 16,
          .name = "COMPARE AND WRITE",
          .dir = kOut,
          .unit = LengthUnit::blocks_times_two,
          .len_off = 13,
          .len_size = 1,
          .resv = kWrite,
          .flags = kLba | kWm | F::exact_data_out,
          .lba_off = 2,
          .lba_size = 8,
          .m1 = kNoProtect}),
    // SBC-3 5.22 / 5.23 SYNCHRONIZE CACHE(10)/(16): Conflict.
    make(no_data_range(0x35, 10, "SYNCHRONIZE CACHE(10)", kWrite, kLongMs)),
    make(no_data_range(0x91, 16, "SYNCHRONIZE CACHE(16)", kWrite, kLongMs)),
    // SBC-3 5.9 / 5.10 PRE-FETCH(10)/(16): Allowed under Write Exclusive.
    make(no_data_range(0x34, 10, "PRE-FETCH(10)", kRead, kShortMs)),
    make(no_data_range(0x90, 16, "PRE-FETCH(16)", kRead, kShortMs)),
    // SBC-3 5.20 READ CAPACITY(10): 8 bytes, no length field
    // (fixed_data_length). Allowed.
    make({.op = 0x25,
          .len = 10,
          .name = "READ CAPACITY(10)",
          .dir = kIn,
          .unit = kDev,
          .resv = kAllowed}),
    // SBC-3 5.21 READ CAPACITY(16) (SERVICE ACTION IN(16) 10h): ALLOCATION
    // LENGTH bytes 10-13. Allowed.
    make({.op = 0x9E,
          .len = 16,
          .name = "READ CAPACITY(16)",
          .dir = kIn,
          .unit = kBytes,
          .len_off = 10,
          .len_size = 4,
          .resv = kAllowed,
          .flags = kAlloc,
          .sa = 0x10}),
    // SBC-3 5.16 GET LBA STATUS (9Eh/12h): ALLOCATION LENGTH bytes 10-13.
    // The length is bytes, not blocks: no lba_range.
    make({.op = 0x9E,
          .len = 16,
          .name = "GET LBA STATUS",
          .dir = kIn,
          .unit = kBytes,
          .len_off = 10,
          .len_size = 4,
          .resv = kRead,
          .flags = kAlloc,
          .sa = 0x12}),
    // SBC-3 5.28 UNMAP: PARAMETER LIST LENGTH bytes 7-8; ranges live in the
    // parameter data, so the core orders it against the whole LU.
    make({.op = 0x42,
          .len = 10,
          .name = "UNMAP",
          .dir = kOut,
          .unit = kBytes,
          .len_off = 7,
          .len_size = 2,
          .resv = kWrite,
          .flags = kWm,
          .timeout_ms = kLongMs}),
    // SBC-3 5.3 FORMAT UNIT: FMTDATA (byte 1 bit 4) masked: its parameter
    // list length is only known from the list header, so formats run with
    // the device's defaults. Alone on the LU.
    make({.op = 0x04,
          .len = 6,
          .name = "FORMAT UNIT",
          .resv = kWrite,
          .flags = kWm | kSer,
          .timeout_ms = kHugeMs,
          .m1 = {1, 0xEF}}),
    // SBC-3 5.30 SANITIZE: PARAMETER LIST LENGTH bytes 7-8 (OVERWRITE). Alone
    // on the LU.
    make({.op = 0x48,
          .len = 10,
          .name = "SANITIZE",
          .dir = kOut,
          .unit = kBytes,
          .len_off = 7,
          .len_size = 2,
          .resv = kWrite,
          .flags = kWm | kSer,
          .timeout_ms = kHugeMs}),
    // SBC-3 5.25 START STOP UNIT: Conflict (see above), spin-up takes long.
    make({.op = 0x1B, .len = 6, .name = "START STOP UNIT", .timeout_ms = kLongMs}),
    // SBC-3 5.18 / 5.19 READ DEFECT DATA(10)/(12): ALLOCATION LENGTH bytes
    // 7-8 / 6-9 (bytes). Conflict.
    make({.op = 0x37,
          .len = 10,
          .name = "READ DEFECT DATA(10)",
          .dir = kIn,
          .unit = kBytes,
          .len_off = 7,
          .len_size = 2,
          .flags = kAlloc}),
    make({.op = 0xB7,
          .len = 12,
          .name = "READ DEFECT DATA(12)",
          .dir = kIn,
          .unit = kBytes,
          .len_off = 6,
          .len_size = 4,
          .flags = kAlloc}),
    prevent_allow(),
    security_in(),
    security_out(true),
    read_media_serial(),
};

// ---------------------------------------------------------------- SSC-3/4
// Every command that depends on or moves the logical position is
// serialize_lu: the position is one per drive, shared by all nexuses, and
// two SIMPLE tasks must never be reordered around it. Classes: SSC-3 4.2.x
// reservation table lists medium access and positioning (READ, VERIFY,
// SPACE, LOCATE, REWIND, READ POSITION ...) as Conflict even under Write
// Exclusive, because reading moves the medium; READ BLOCK LIMITS and REPORT
// DENSITY SUPPORT are Allowed.
constexpr uint32_t kMotion = kSer;

constexpr Spec tape_io(uint8_t op, uint8_t len, const char* name, DataDir dir, bool write,
                       uint32_t timeout = kIoMs) {
  // LengthUnit::device: FIXED=1 counts blocks of the block length in force
  // (SSC-3 6.4 / 6.9); TRANSFER LENGTH is bytes 2-4 (6-byte) or 12-14 (16-byte,
  // SSC-4 READ(16)/WRITE(16) with the same FIXED bit).
  return {.op = op,
          .len = len,
          .name = name,
          .dir = dir,
          .unit = kDev,
          .len_off = uint8_t(len == 6 ? 2 : 12),
          .len_size = 3,
          .resv = write ? kWrite : kConflict,
          .flags = write ? kMotion | kWm : kMotion,
          .timeout_ms = timeout};
}

constexpr Spec tape_motion(uint8_t op, uint8_t len, const char* name, bool write,
                           uint32_t timeout = kLongMs) {
  return {.op = op,
          .len = len,
          .name = name,
          .resv = write ? kWrite : kConflict,
          .flags = write ? kMotion | kWm : kMotion,
          .timeout_ms = timeout};
}

constexpr OpcodeInfo read_position(uint8_t sa, const char* name) {
  // SSC-3 7.7: short (00h, 01h) and long (06h) forms have fixed lengths
  // (20 / 32 bytes, ALLOCATION LENGTH shall be zero), see fixed_data_length.
  return make(
      {.op = 0x34, .len = 10, .name = name, .dir = kIn, .unit = kDev, .flags = kMotion, .sa = sa});
}

constexpr std::array kSsc = {
    // SSC-3 7.6 REWIND.
    make(tape_motion(0x01, 6, "REWIND", false)),
    // SSC-3 6.3 FORMAT MEDIUM: TRANSFER LENGTH bytes 3-4 (parameter bytes).
    make({.op = 0x04,
          .len = 6,
          .name = "FORMAT MEDIUM",
          .dir = kOut,
          .unit = kBytes,
          .len_off = 3,
          .len_size = 2,
          .resv = kWrite,
          .flags = kMotion | kWm,
          .timeout_ms = kHugeMs}),
    // SSC-3 7.5 READ BLOCK LIMITS: 6 bytes, 20 with MLOI (SSC-4). Allowed.
    make({.op = 0x05,
          .len = 6,
          .name = "READ BLOCK LIMITS",
          .dir = kIn,
          .unit = kDev,
          .resv = kAllowed}),
    make(tape_io(0x08, 6, "READ(6)", kIn, false)),
    make(tape_io(0x0A, 6, "WRITE(6)", kOut, true)),
    // SSC-3 7.8 SET CAPACITY: shortens the medium.
    make(tape_motion(0x0B, 6, "SET CAPACITY", true)),
    // SSC-3 6.5 READ REVERSE(6).
    make(tape_io(0x0F, 6, "READ REVERSE(6)", kIn, false)),
    // SSC-3 6.10 WRITE FILEMARKS(6): flushes the buffer to the medium.
    make(tape_motion(0x10, 6, "WRITE FILEMARKS(6)", true)),
    // SSC-3 6.8 SPACE(6).
    make(tape_motion(0x11, 6, "SPACE(6)", false)),
    // SSC-3 6.9 VERIFY(6): Data-Out only with BYTCMP=1 (handler computes).
    make(tape_io(0x13, 6, "VERIFY(6)", kOut, false, kLongMs)),
    // SSC-3 6.2 ERASE(6): LONG erase takes hours.
    make(tape_motion(0x19, 6, "ERASE(6)", true, kHugeMs)),
    // SSC-3 7.2 LOAD UNLOAD: Conflict.
    make(tape_motion(0x1B, 6, "LOAD UNLOAD", false)),
    prevent_allow(),
    // SSC-3 7.4 LOCATE(10).
    make(tape_motion(0x2B, 10, "LOCATE(10)", false)),
    read_position(0x00, "READ POSITION(SHORT FORM - BLOCK ID)"),
    read_position(0x01, "READ POSITION(SHORT FORM - VENDOR SPECIFIC)"),
    read_position(0x06, "READ POSITION(LONG FORM)"),
    // SSC-3 7.7 extended form: ALLOCATION LENGTH bytes 7-8.
    make({.op = 0x34,
          .len = 10,
          .name = "READ POSITION(EXTENDED FORM)",
          .dir = kIn,
          .unit = kBytes,
          .len_off = 7,
          .len_size = 2,
          .flags = kMotion | kAlloc,
          .sa = 0x08}),
    // SSC-3 6.6 REPORT DENSITY SUPPORT: ALLOCATION LENGTH bytes 7-8. Allowed
    // (describes the drive / mounted medium, moves nothing).
    make({.op = 0x44,
          .len = 10,
          .name = "REPORT DENSITY SUPPORT",
          .dir = kIn,
          .unit = kBytes,
          .len_off = 7,
          .len_size = 2,
          .resv = kAllowed,
          .flags = kAlloc}),
    // SSC-4 WRITE FILEMARKS(16), READ REVERSE(16), ALLOW OVERWRITE, READ(16),
    // WRITE(16), VERIFY(16), SPACE(16), LOCATE(16), ERASE(16).
    make(tape_motion(0x80, 16, "WRITE FILEMARKS(16)", true)),
    make(tape_io(0x81, 16, "READ REVERSE(16)", kIn, false)),
    make(tape_motion(0x82, 16, "ALLOW OVERWRITE", false, kShortMs)),
    make(tape_io(0x88, 16, "READ(16)", kIn, false)),
    make(tape_io(0x8A, 16, "WRITE(16)", kOut, true)),
    make(tape_io(0x8F, 16, "VERIFY(16)", kOut, false, kLongMs)),
    // SPACE(16) PARAMETER LENGTH (bytes 12-13) must be zero: no Data-Out is
    // modelled.
    [] {
      Spec s = tape_motion(0x91, 16, "SPACE(16)", false);
      s.m1 = {12, 0x00};
      s.m2 = {13, 0x00};
      return make(s);
    }(),
    make(tape_motion(0x92, 16, "LOCATE(16)", false)),
    make(tape_motion(0x93, 16, "ERASE(16)", true, kHugeMs)),
    kAttributes[0],
    kAttributes[1],
    security_in(),
    security_out(false),
    read_media_serial(),
};

// ---------------------------------------------------------------- SPC-2 processor
constexpr std::array kProcessor = {
    // SPC-2 9.2 RECEIVE: ALLOCATION LENGTH bytes 2-4. Conflict.
    make({.op = 0x08,
          .len = 6,
          .name = "RECEIVE",
          .dir = kIn,
          .unit = kBytes,
          .len_off = 2,
          .len_size = 3,
          .flags = kAlloc}),
    // SPC-2 9.3 SEND: TRANSFER LENGTH bytes 2-4. Conflict.
    make({.op = 0x0A,
          .len = 6,
          .name = "SEND",
          .dir = kOut,
          .unit = kBytes,
          .len_off = 2,
          .len_size = 3}),
};

// ---------------------------------------------------------------- MMC-6
// MMC-6 defines no reservation table of its own; classes follow the SBC-3
// analogues: medium reads `read`, medium writes (WRITE, BLANK, FORMAT,
// CLOSE/RESERVE TRACK, SEND CUE SHEET, OPC) `write`, drive state changes
// Conflict, capability / event polling (GET CONFIGURATION, GET EVENT STATUS
// NOTIFICATION, MECHANISM STATUS, READ CAPACITY) Allowed so hosts' media
// polling keeps working.
constexpr Spec mmc_in(uint8_t op, uint8_t len, const char* name, uint8_t len_off,
                      ResvClass resv = kRead) {
  return {.op = op,
          .len = len,
          .name = name,
          .dir = kIn,
          .unit = kBytes,
          .len_off = len_off,
          .len_size = 2,
          .resv = resv,
          .flags = kAlloc};
}
constexpr Spec mmc_out(uint8_t op, uint8_t len, const char* name, uint8_t len_off, uint8_t len_size,
                       bool writes) {
  return {.op = op,
          .len = len,
          .name = name,
          .dir = kOut,
          .unit = kBytes,
          .len_off = len_off,
          .len_size = len_size,
          .resv = writes ? kWrite : kConflict,
          .flags = writes ? kWm : 0u};
}
constexpr Spec mmc_none(uint8_t op, uint8_t len, const char* name, bool writes, uint32_t flags = 0,
                        uint32_t timeout = kShortMs) {
  return {.op = op,
          .len = len,
          .name = name,
          .resv = writes ? kWrite : kConflict,
          .flags = (writes ? kWm : 0u) | flags,
          .timeout_ms = timeout};
}
constexpr Spec mmc_rw(uint8_t op, uint8_t len, const char* name, bool write) {
  // MMC-6 READ/WRITE(10)/(12): blocks of DeviceInfo::block_size (2048 on
  // data discs; raw/audio write types with other block lengths are not
  // modelled). Byte 1 has DPO/FUA only (no protection fields in MMC).
  Spec s = rw(op, len, name, write);
  s.m1 = {};
  s.timeout_ms = kIoMs;
  return s;
}

constexpr std::array kMmc = {
    // MMC-6 6.5 FORMAT UNIT: FmtData=1 sends a 4-byte header + one 8-byte
    // format descriptor (fixed_data_length).
    make({.op = 0x04,
          .len = 6,
          .name = "FORMAT UNIT",
          .dir = kOut,
          .unit = kDev,
          .resv = kWrite,
          .flags = kWm | kSer,
          .timeout_ms = kHugeMs}),
    // MMC-6 START STOP UNIT (tray, spin-up) and LOAD/UNLOAD MEDIUM.
    make(mmc_none(0x1B, 6, "START STOP UNIT", false, kSer, kLongMs)),
    prevent_allow(),
    make(mmc_in(0x23, 10, "READ FORMAT CAPACITIES", 7)),
    make({.op = 0x25,
          .len = 10,
          .name = "READ CAPACITY",
          .dir = kIn,
          .unit = kDev,
          .resv = kAllowed}),
    make(mmc_rw(0x28, 10, "READ(10)", false)),
    make(mmc_rw(0x2A, 10, "WRITE(10)", true)),
    make(mmc_none(0x2B, 10, "SEEK(10)", false)),
    make(mmc_rw(0x2E, 10, "WRITE AND VERIFY(10)", true)),
    [] {
      Spec s = verify(0x2F, 10, "VERIFY(10)");
      s.m1 = {};
      return make(s);
    }(),
    make(no_data_range(0x35, 10, "SYNCHRONIZE CACHE", kWrite, kLongMs)),
    make(mmc_in(0x42, 10, "READ SUB-CHANNEL", 7)),
    make(mmc_in(0x43, 10, "READ TOC/PMA/ATIP", 7)),
    make(mmc_none(0x45, 10, "PLAY AUDIO(10)", false)),
    make(mmc_in(0x46, 10, "GET CONFIGURATION", 7, kAllowed)),
    make(mmc_none(0x47, 10, "PLAY AUDIO MSF", false)),
    make(mmc_in(0x4A, 10, "GET EVENT STATUS NOTIFICATION", 7, kAllowed)),
    make(mmc_none(0x4B, 10, "PAUSE/RESUME", false)),
    make(mmc_none(0x4E, 10, "STOP PLAY/SCAN", false)),
    make(mmc_in(0x51, 10, "READ DISC INFORMATION", 7)),
    make(mmc_in(0x52, 10, "READ TRACK INFORMATION", 7)),
    make(mmc_none(0x53, 10, "RESERVE TRACK", true)),
    // SEND OPC INFORMATION: DoOpc calibrates on the disc's power area.
    make(mmc_out(0x54, 10, "SEND OPC INFORMATION", 7, 2, true)),
    make(mmc_none(0x5B, 10, "CLOSE TRACK/SESSION", true, kSer, kLongMs)),
    make(mmc_in(0x5C, 10, "READ BUFFER CAPACITY", 7)),
    // SEND CUE SHEET: CUE SHEET SIZE bytes 6-8.
    make(mmc_out(0x5D, 10, "SEND CUE SHEET", 6, 3, true)),
    make(mmc_none(0xA1, 12, "BLANK", true, kSer, kLongMs)),
    // SEND KEY: byte 1 is reserved, so it is the service action 00h row of
    // A3h (the core owns A3h with service actions). PARAMETER LIST LENGTH 8-9.
    [] {
      Spec s = mmc_out(0xA3, 12, "SEND KEY", 8, 2, false);
      s.sa = 0x00;
      return make(s);
    }(),
    make(mmc_in(0xA4, 12, "REPORT KEY", 8, kConflict)),
    make(mmc_none(0xA6, 12, "LOAD/UNLOAD MEDIUM", false, kSer, kLongMs)),
    make(mmc_none(0xA7, 12, "SET READ AHEAD", false)),
    make(mmc_rw(0xA8, 12, "READ(12)", false)),
    make(mmc_rw(0xAA, 12, "WRITE(12)", true)),
    // GET PERFORMANCE: MAXIMUM NUMBER OF DESCRIPTORS bytes 8-9, descriptor
    // size by TYPE: an upper bound (fixed_data_length), truncated like an
    // allocation length.
    make({.op = 0xAC,
          .len = 12,
          .name = "GET PERFORMANCE",
          .dir = kIn,
          .unit = kDev,
          .len_off = 8,
          .len_size = 2,
          .resv = kRead,
          .flags = kAlloc}),
    make({.op = 0xAD,
          .len = 12,
          .name = "READ DISC STRUCTURE",
          .dir = kIn,
          .unit = kBytes,
          .len_off = 8,
          .len_size = 2,
          .resv = kRead,
          .flags = kAlloc}),
    // SET STREAMING: PARAMETER LIST LENGTH bytes 9-10.
    make(mmc_out(0xB6, 12, "SET STREAMING", 9, 2, false)),
    // READ CD MSF: length from the MSF range and byte 9/10 selections, an
    // upper bound (fixed_data_length).
    make({.op = 0xB9,
          .len = 12,
          .name = "READ CD MSF",
          .dir = kIn,
          .unit = kDev,
          .resv = kRead,
          .flags = kAlloc,
          .timeout_ms = kIoMs}),
    make(mmc_none(0xBB, 12, "SET CD SPEED", false)),
    make({.op = 0xBD,
          .len = 12,
          .name = "MECHANISM STATUS",
          .dir = kIn,
          .unit = kBytes,
          .len_off = 8,
          .len_size = 2,
          .resv = kAllowed,
          .flags = kAlloc}),
    // READ CD: LBA 2-5, TRANSFER LENGTH (blocks) 6-8; bytes per block from
    // bytes 1, 9, 10: an upper bound (fixed_data_length).
    make({.op = 0xBE,
          .len = 12,
          .name = "READ CD",
          .dir = kIn,
          .unit = kDev,
          .len_off = 6,
          .len_size = 3,
          .resv = kRead,
          .flags = kAlloc | kLba,
          .timeout_ms = kIoMs,
          .lba_off = 2,
          .lba_size = 4}),
    make({.op = 0xBF,
          .len = 12,
          .name = "SEND DISC STRUCTURE",
          .dir = kOut,
          .unit = kBytes,
          .len_off = 8,
          .len_size = 2,
          .resv = kWrite,
          .flags = kWm}),
};

// ---------------------------------------------------------------- SMC-3
// Robot motion is serialize_lu (one picker; a MOVE must not overtake an
// earlier READ ELEMENT STATUS of another nexus). Classes: SMC-3 reservation
// table lists MOVE/EXCHANGE MEDIUM, POSITION TO ELEMENT, INITIALIZE ELEMENT
// STATUS (WITH RANGE), SEND VOLUME TAG, REQUEST VOLUME ELEMENT ADDRESS as
// Conflict; READ ELEMENT STATUS is Allowed only with CURDATA=1, which a row
// cannot express, so Conflict.
constexpr Spec smc_motion(uint8_t op, uint8_t len, const char* name) {
  return {.op = op, .len = len, .name = name, .flags = kSer, .timeout_ms = kLongMs};
}

constexpr std::array kSmc = {
    make(smc_motion(0x07, 6, "INITIALIZE ELEMENT STATUS")),
    // SMC-3 OPEN/CLOSE IMPORT/EXPORT ELEMENT (1Bh): moves the mail slot.
    make(smc_motion(0x1B, 6, "OPEN/CLOSE IMPORT/EXPORT ELEMENT")),
    prevent_allow(),
    make(smc_motion(0x2B, 10, "POSITION TO ELEMENT")),
    make(smc_motion(0x37, 10, "INITIALIZE ELEMENT STATUS WITH RANGE")),
    kAttributes[0],
    kAttributes[1],
    make(smc_motion(0xA5, 12, "MOVE MEDIUM")),
    make(smc_motion(0xA6, 12, "EXCHANGE MEDIUM")),
    // SMC-3 REQUEST VOLUME ELEMENT ADDRESS: ALLOCATION LENGTH bytes 7-9.
    make({.op = 0xB5,
          .len = 12,
          .name = "REQUEST VOLUME ELEMENT ADDRESS",
          .dir = kIn,
          .unit = kBytes,
          .len_off = 7,
          .len_size = 3,
          .flags = kAlloc}),
    // SMC-3 SEND VOLUME TAG: PARAMETER LIST LENGTH bytes 8-9.
    make({.op = 0xB6,
          .len = 12,
          .name = "SEND VOLUME TAG",
          .dir = kOut,
          .unit = kBytes,
          .len_off = 8,
          .len_size = 2}),
    // SMC-3 READ ELEMENT STATUS: ALLOCATION LENGTH bytes 7-9. With CURDATA=0
    // the library may scan its slots first.
    make({.op = 0xB8,
          .len = 12,
          .name = "READ ELEMENT STATUS",
          .dir = kIn,
          .unit = kBytes,
          .len_off = 7,
          .len_size = 3,
          .flags = kAlloc,
          .timeout_ms = kLongMs}),
};

constexpr auto kDiskRows = concat(kSpcBase, kMaintenance, kSbc);
constexpr auto kTapeRows = concat(kSpcBase, kMaintenance, kSsc);
constexpr auto kProcessorRows = concat(kSpcBase, kMaintenance, kProcessor);
constexpr auto kCdromRows = concat(kSpcBase, kMmc);
constexpr auto kChangerRows = concat(kSpcBase, kMaintenance, kSmc);
constexpr auto kOtherRows = concat(kSpcBase, kMaintenance);

constexpr uint8_t kDisk = 0x00, kTape = 0x01, kProc = 0x03, kCdrom = 0x05, kChanger = 0x08;

// Bytes per block upper bound of MMC-6 READ CD / READ CD MSF: byte 1 bits 4-2
// EXPECTED SECTOR TYPE, byte 9 main channel selection (SYNC, HEADER CODES,
// USER DATA, EDC & ECC, C2 ERROR INFORMATION), byte 10 sub-channel selection.
uint32_t read_cd_block_bound(const uint8_t* c) noexcept {
  const uint8_t type = (c[1] >> 2) & 0x7;
  const uint8_t main = c[9] & 0xF8;
  uint32_t n = 0;
  if (main == 0x10) {  // user data only: exact for a known sector type
    static constexpr uint32_t kUser[8] = {2352, 2352, 2048, 2336, 2048, 2324, 2352, 2352};
    n = kUser[type];
  } else if (main != 0) {
    n = 2352;  // a whole raw sector at most
  }
  switch ((c[9] >> 1) & 0x3) {  // C2 error information
    case 1:
      n += 294;
      break;
    case 2:
      n += 296;
      break;
    default:
      break;
  }
  switch (c[10] & 0x7) {  // sub-channel data
    case 1:
    case 4:
      n += 96;
      break;
    case 2:
      n += 16;
      break;
    default:
      break;
  }
  return n;
}

// Upper bounds stay well below the core's per-command limit; beyond it the
// initiator gets the first part, as with any allocation length.
constexpr uint64_t kBoundCap = 8u << 20;

uint32_t capped(uint64_t v) noexcept { return uint32_t(std::min(v, kBoundCap)); }

uint32_t msf_to_lba(const uint8_t* m) noexcept { return (uint32_t(m[0]) * 60 + m[1]) * 75 + m[2]; }

}  // namespace

std::span<const OpcodeInfo> catalog_rows(uint8_t peripheral_type) noexcept {
  switch (peripheral_type & 0x1F) {
    case kDisk:
      return kDiskRows;
    case kTape:
      return kTapeRows;
    case kProc:
      return kProcessorRows;
    case kCdrom:
      return kCdromRows;
    case kChanger:
      return kChangerRows;
    default:
      return kOtherRows;
  }
}

bool is_long_running(uint8_t peripheral_type, const uint8_t* cdb) noexcept {
  if (!cdb) return false;
  const uint8_t op = cdb[0];
  if (op == 0x1D || op == 0x3B) return true;  // SEND DIAGNOSTIC, WRITE BUFFER
  switch (peripheral_type & 0x1F) {
    case kDisk:
      switch (op) {
        case 0x04:  // FORMAT UNIT
        case 0x1B:  // START STOP UNIT
        case 0x35:  // SYNCHRONIZE CACHE(10)
        case 0x41:  // WRITE SAME(10)
        case 0x42:  // UNMAP
        case 0x48:  // SANITIZE
        case 0x91:  // SYNCHRONIZE CACHE(16)
        case 0x93:  // WRITE SAME(16)
          return true;
        default:
          return false;
      }
    case kTape:
      switch (op) {
        case 0x01:  // REWIND
        case 0x04:  // FORMAT MEDIUM
        case 0x0B:  // SET CAPACITY
        case 0x10:  // WRITE FILEMARKS(6)
        case 0x11:  // SPACE(6)
        case 0x13:  // VERIFY(6)
        case 0x19:  // ERASE(6)
        case 0x1B:  // LOAD UNLOAD
        case 0x2B:  // LOCATE(10)
        case 0x80:  // WRITE FILEMARKS(16)
        case 0x8F:  // VERIFY(16)
        case 0x91:  // SPACE(16)
        case 0x92:  // LOCATE(16)
        case 0x93:  // ERASE(16)
          return true;
        default:
          return false;
      }
    case kCdrom:
      switch (op) {
        case 0x04:  // FORMAT UNIT
        case 0x1B:  // START STOP UNIT
        case 0x35:  // SYNCHRONIZE CACHE
        case 0x5B:  // CLOSE TRACK/SESSION
        case 0xA1:  // BLANK
        case 0xA6:  // LOAD/UNLOAD MEDIUM
          return true;
        default:
          return false;
      }
    case kChanger:
      switch (op) {
        case 0x07:  // INITIALIZE ELEMENT STATUS
        case 0x1B:  // OPEN/CLOSE IMPORT/EXPORT ELEMENT
        case 0x2B:  // POSITION TO ELEMENT
        case 0x37:  // INITIALIZE ELEMENT STATUS WITH RANGE
        case 0xA5:  // MOVE MEDIUM
        case 0xA6:  // EXCHANGE MEDIUM
          return true;
        case 0xB8:  // READ ELEMENT STATUS: CURDATA=0 may inventory (SMC-3)
          return (cdb[6] & 0x02) == 0;
        default:
          return false;
      }
    default:
      return false;
  }
}

std::optional<uint32_t> fixed_data_length(uint8_t peripheral_type,
                                          std::span<const uint8_t> cdb) noexcept {
  if (cdb.size() < 6) return std::nullopt;
  const uint8_t* c = cdb.data();
  const uint8_t type = peripheral_type & 0x1F;
  switch (c[0]) {
    case 0x25:  // SBC-3 5.20 / MMC-6 READ CAPACITY: 8 bytes
      if (type == kDisk || type == kCdrom) return 8u;
      break;
    case 0x05:  // SSC-3 7.5 READ BLOCK LIMITS; SSC-4 MLOI: 20 bytes
      if (type == kTape) return (c[1] & 0x01) ? 20u : 6u;
      break;
    case 0x34:  // SSC-3 7.7 READ POSITION short / long form
      if (type != kTape || cdb.size() < 10) break;
      switch (c[1] & 0x1F) {
        case 0x00:
        case 0x01:
          return 20u;
        case 0x06:
          return 32u;
        default:
          break;
      }
      break;
    case 0x04:  // MMC-6 6.5 FORMAT UNIT: header + one format descriptor
      if (type == kCdrom) return (c[1] & 0x10) ? 12u : 0u;
      break;
    case 0xBE:  // MMC-6 READ CD
      if (type == kCdrom && cdb.size() >= 12)
        return capped(uint64_t((uint32_t(c[6]) << 16) | (uint32_t(c[7]) << 8) | c[8]) *
                      read_cd_block_bound(c));
      break;
    case 0xB9:  // MMC-6 READ CD MSF: [start, end) in M/S/F
      if (type == kCdrom && cdb.size() >= 12) {
        const uint32_t start = msf_to_lba(c + 3), end = msf_to_lba(c + 6);
        return end > start ? capped(uint64_t(end - start) * read_cd_block_bound(c)) : 0u;
      }
      break;
    case 0xAC:  // MMC-6 GET PERFORMANCE: 8-byte header + descriptors
      if (type == kCdrom && cdb.size() >= 12) {
        const uint32_t count = (uint32_t(c[8]) << 8) | c[9];
        // TYPE 02h (defect status) descriptors are 2048 bytes; the others at
        // most 16 (performance, write speed) or 8 (unusable area, DBI).
        const uint32_t size = c[10] == 0x02 ? 2048 : 16;
        return capped(8 + uint64_t(count) * size);
      }
      break;
    default:
      break;
  }
  return std::nullopt;
}

}  // namespace nexus::passthrough
