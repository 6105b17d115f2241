// Helpers shared by device handlers (plugin side, header-only): replying into
// the command buffer, the INQUIRY identity options, DeviceInfo filling and
// opcode-row building.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "nexus/config.hpp"
#include "nexus/device.h"
#include "nexus/opcode.h"

namespace nexus {

// Copies `src` into the command's Data-In segments, at most data_length()
// bytes, and returns how many were copied. Does not set the transfer length.
inline uint64_t copy_to_command(IDeviceCommand* cmd, std::span<const uint8_t> src) noexcept {
  const IoVec* iov = nullptr;
  uint32_t n = cmd->iov(&iov);
  uint64_t limit = std::min<uint64_t>(src.size(), cmd->data_length());
  uint64_t done = 0;
  for (uint32_t i = 0; i < n && done < limit; ++i) {
    uint64_t k = std::min(iov[i].len, limit - done);
    std::memcpy(iov[i].base, src.data() + done, k);
    done += k;
  }
  return done;
}

// copy_to_command() plus set_transfer_length() with the bytes copied.
inline uint64_t reply_data(IDeviceCommand* cmd, std::span<const uint8_t> src) noexcept {
  uint64_t done = copy_to_command(cmd, src);
  cmd->set_transfer_length(uint32_t(done));
  return done;
}

// INQUIRY identity: T10 VENDOR IDENTIFICATION, PRODUCT IDENTIFICATION,
// PRODUCT REVISION LEVEL (SPC-4 6.6.2) and the unit serial number (VPD 80h).
struct DeviceIdentity {
  std::string vendor;
  std::string product;
  std::string revision;
  std::string serial;
};

// INQUIRY identity fields are printable ASCII (SPC-4 4.4.1).
inline bool is_printable_ascii(std::string_view s) noexcept {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7E) return false;
  return true;
}

// Whether an identity option given as "" is accepted (and reported as blank).
enum class EmptyIdentity : uint8_t { allowed, rejected };

// Reads option `key` over *field when present: printable ASCII of at most
// `max` characters, otherwise an error on the key's node.
inline void read_identity_field(Options& opt, const char* key, size_t max, std::string* field,
                                EmptyIdentity empty = EmptyIdentity::allowed) {
  if (!opt.has(key)) return;
  std::string v = opt.string(key, *field);
  bool reject_empty = empty == EmptyIdentity::rejected;
  if ((reject_empty && v.empty()) || v.size() > max || !is_printable_ascii(v)) {
    opt.fail(opt.child(key),
             reject_empty
                 ? "must be printable ASCII of 1 to " + std::to_string(max) + " characters"
                 : "must be printable ASCII of at most " + std::to_string(max) + " characters");
    return;
  }
  *field = v;
}

// Reads the `vendor`, `product`, `revision` and `serial` options into `id`
// (any struct with those std::string members), whose values are the defaults.
template <class Identity>
void read_identity(Options& opt, Identity* id, EmptyIdentity empty = EmptyIdentity::allowed) {
  read_identity_field(opt, "vendor", 8, &id->vendor, empty);
  read_identity_field(opt, "product", 16, &id->product, empty);
  read_identity_field(opt, "revision", 4, &id->revision, empty);
  read_identity_field(opt, "serial", 63, &id->serial, empty);
}

// The identity configured in `opts` (any struct with vendor/product/revision/
// serial), the serial falling back to `derived_serial` when none was given.
template <class Configured>
DeviceIdentity identity_from(const Configured& opts, std::string_view derived_serial) {
  return DeviceIdentity{opts.vendor, opts.product, opts.revision,
                        opts.serial.empty() ? std::string(derived_serial) : opts.serial};
}

// FNV-1a (64 bit) of a device name: stable across runs and builds, unlike
// std::hash, for serial numbers derived from the name.
inline uint64_t name_hash(std::string_view name) noexcept {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

// Copies the identity into DeviceInfo's NUL-terminated fields (truncating).
inline void fill_identity(DeviceInfo& d, const DeviceIdentity& id) noexcept {
  auto put = [](char* dst, size_t cap, const std::string& s) {
    size_t k = std::min(s.size(), cap - 1);
    std::memcpy(dst, s.data(), k);
    dst[k] = '\0';
  };
  put(d.vendor, sizeof d.vendor, id.vendor);
  put(d.product, sizeof d.product, id.product);
  put(d.revision, sizeof d.revision, id.revision);
  put(d.serial, sizeof d.serial, id.serial);
}

// Hands `d` to the core for IDevice::info(). An older core may pass a smaller
// struct (out->struct_size): fill what it knows about.
inline Status publish_info(const DeviceInfo& d, DeviceInfo* out) noexcept {
  uint32_t size = out->struct_size && out->struct_size < sizeof d ? out->struct_size : sizeof d;
  std::memcpy(out, &d, size);
  out->struct_size = size;
  return Status::ok;
}

// CDB usage data bytes (SPC-4 6.35.3) common to opcode rows.
namespace cdb_usage {
// CONTROL byte (SAM-5 5.2): only NACA, which the core rejects (no ACA).
inline constexpr uint8_t kControl = 0x04;
// A byte whose bits are all evaluated (opcode, lengths, LBAs).
inline constexpr uint8_t kAll = 0xFF;
}  // namespace cdb_usage

// Copies a CDB usage bitmap into the row (what does not fit is dropped).
inline void set_usage(OpcodeInfo& o, std::initializer_list<uint8_t> usage) noexcept {
  size_t i = 0;
  for (uint8_t b : usage)
    if (i < sizeof o.usage) o.usage[i++] = b;
}

// Builds an OpcodeInfo from a handler's table row: an aggregate with opcode,
// cdb_length, flags, dir, unit, len_offset, len_size, resv, name and usage,
// and optionally sa, lba_offset + lba_size and timeout_ms.
template <class Row>
OpcodeInfo opcode_info(const Row& r) noexcept {
  OpcodeInfo o{};
  o.opcode = r.opcode;
  o.cdb_length = r.cdb_length;
  if constexpr (requires { r.sa; }) o.service_action = r.sa;
  o.flags = r.flags;
  o.direction = r.dir;
  o.len_unit = r.unit;
  o.len_offset = r.len_offset;
  o.len_size = r.len_size;
  if constexpr (requires { r.lba_offset; }) {
    o.lba_offset = r.lba_offset;
    o.lba_size = r.lba_size;
  }
  o.resv_class = r.resv;
  set_usage(o, r.usage);
  if constexpr (requires { r.timeout_ms; }) o.timeout_ms = r.timeout_ms;
  o.name = r.name;
  return o;
}

}  // namespace nexus
