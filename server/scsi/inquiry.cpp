#include "scsi/inquiry.h"

#include <array>
#include <bitset>

#include "nexus/bytes.hpp"
#include "nexus/sense.hpp"
#include "scsi/core_opcode_rows.h"
#include "scsi/lun_encoding.h"
#include "scsi/response_writer.h"

namespace nexus::scsi {
namespace {

constexpr uint8_t kPqNotCapable = 0x3;  // 011b: no LU at this LUN (SPC-4 6.6.2 Table 141)

// Version descriptors (SPC-4 Table E.18), "no version claimed" codes.
constexpr uint16_t kSam5 = 0x00A0;
constexpr uint16_t kSpc4 = 0x0460;
constexpr uint16_t kSbc3 = 0x04C0;
constexpr uint16_t kSsc3 = 0x0400;
constexpr uint16_t kSmc3 = 0x0480;
constexpr uint16_t kMmc6 = 0x04E0;

bool is_wlun(const CoreContext& ctx) { return !ctx.device && is_well_known_lun(ctx.lun); }

uint8_t peripheral_byte(const CoreContext& ctx) {
  if (is_wlun(ctx)) return uint8_t(PeripheralType::wlun);
  if (!ctx.device || !ctx.info)
    return uint8_t(kPqNotCapable << 5 | uint8_t(PeripheralType::unknown));
  return uint8_t(ctx.info->type) & 0x1F;
}

std::string_view cstr(const char* s, size_t n) {
  size_t k = 0;
  while (k < n && s[k]) ++k;
  return {s, k};
}

bool alua(const CoreContext& ctx) {
  return ctx.opcodes &&
         ctx.opcodes->find(op::maintenance_in, op::sa_report_target_port_groups) != nullptr;
}

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

// Serial number text: the device's, else hex of the derived identifier.
struct Serial {
  std::array<char, 64> buf{};
  size_t len = 0;
  std::string_view view() const { return {buf.data(), len}; }
};

Serial unit_serial(const CoreContext& ctx) {
  Serial s;
  std::string_view dev = ctx.info ? cstr(ctx.info->serial, sizeof(ctx.info->serial)) : "";
  if (!dev.empty()) {
    s.len = std::min(dev.size(), s.buf.size());
    std::copy_n(dev.data(), s.len, s.buf.data());
    return s;
  }
  const uint64_t v = naa_designator(ctx) & 0x0FFFFFFFFFFFFFFFull;
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (int i = 0; i < 16; ++i) s.buf[i] = kHex[(v >> (60 - 4 * i)) & 0xF];
  s.len = 16;
  return s;
}

Result standard_inquiry(const CoreContext& ctx, ResponseWriter& w) {
  w.u8(0, peripheral_byte(ctx));
  if (ctx.info && ctx.device && (ctx.info->flags & DeviceInfoFlags::removable)) w.u8(1, 0x80);
  const uint8_t version =
      ctx.info && ctx.device && ctx.info->scsi_version ? ctx.info->scsi_version : 0x06;
  w.u8(2, version);
  w.u8(3, 0x10 | 0x02);  // NormACA=0, HiSup=1, RESPONSE DATA FORMAT=2
  w.u8(4, uint8_t(kStandardInquiryLength - 5));
  if (alua(ctx)) w.u8(5, 0x10);  // TPGS=01b: implicit asymmetric access only
  if (ctx.multiport) w.u8(6, 0x10);
  w.u8(7, 0x02);  // CmdQue
  std::string_view vendor = "NEXUS", product = "VIRTUAL LU", revision = "1.0";
  if (ctx.info && ctx.device) {
    if (auto v = cstr(ctx.info->vendor, sizeof(ctx.info->vendor)); !v.empty()) vendor = v;
    if (auto p = cstr(ctx.info->product, sizeof(ctx.info->product)); !p.empty()) product = p;
    if (auto r = cstr(ctx.info->revision, sizeof(ctx.info->revision)); !r.empty()) revision = r;
  } else if (is_wlun(ctx)) {
    product = "REPORT LUNS WLUN";
  }
  w.padded(8, 8, vendor);
  w.padded(16, 16, product);
  w.padded(32, 4, revision);
  // Version descriptors (bytes 58..73): architecture, command set,
  // transport, device type command set.
  size_t off = 58;
  auto vd = [&](uint16_t v) {
    if (v && off < 74) {
      w.be16(off, v);
      off += 2;
    }
  };
  vd(kSam5);
  vd(kSpc4);
  vd(ctx.transport_version_descriptor);
  if (ctx.device && ctx.info) {
    switch (ctx.info->type) {
      case PeripheralType::disk:
        vd(kSbc3);
        break;
      case PeripheralType::tape:
        vd(kSsc3);
        break;
      case PeripheralType::changer:
        vd(kSmc3);
        break;
      case PeripheralType::cdrom:
        vd(kMmc6);
        break;
      default:
        break;
    }
  }
  return Result::good(w.returned(kStandardInquiryLength));
}

void vpd_header(ResponseWriter& w, const CoreContext& ctx, uint8_t page, uint16_t length) {
  w.u8(0, peripheral_byte(ctx));
  w.u8(1, page);
  w.be16(2, length);
}

constexpr uint8_t kCorePages[] = {0x00, 0x80, 0x83, 0x86};

Result vpd_supported_pages(const CoreContext& ctx, ResponseWriter& w) {
  std::bitset<256> pages;
  for (uint8_t p : kCorePages) pages.set(p);
  if (ctx.device)
    for (uint8_t p : ctx.device_vpd_pages) pages.set(p);
  size_t n = 0;
  for (size_t p = 0; p < 256; ++p)
    if (pages.test(p)) w.u8(4 + n++, uint8_t(p));
  vpd_header(w, ctx, 0x00, uint16_t(n));
  return Result::good(w.returned(4 + n));
}

Result vpd_unit_serial(const CoreContext& ctx, ResponseWriter& w) {
  const Serial s = unit_serial(ctx);
  vpd_header(w, ctx, 0x80, uint16_t(s.len));
  w.text(4, s.view());
  return Result::good(w.returned(4 + s.len));
}

// One designation descriptor (SPC-4 7.8.6.1 Table 589) at `off`; returns
// its total length.
size_t designator(ResponseWriter& w, size_t off, uint8_t protocol, uint8_t code_set, bool piv,
                  uint8_t association, uint8_t type, size_t length) {
  w.u8(off, uint8_t(protocol << 4 | code_set));
  w.u8(off + 1, uint8_t((piv ? 0x80 : 0) | association << 4 | type));
  w.u8(off + 3, uint8_t(length));
  return 4 + length;
}

constexpr uint8_t kBinary = 1, kAscii = 2, kUtf8 = 3;
constexpr uint8_t kAssocLu = 0, kAssocPort = 1, kAssocTarget = 2;

// SCSI name string designator (7.8.6.11): NUL terminated, padded with NULs
// to a multiple of 4, at most 256 bytes.
size_t name_string(ResponseWriter& w, size_t off, uint8_t protocol, uint8_t association,
                   std::string_view a, std::string_view b = {}) {
  size_t n = std::min<size_t>(a.size() + b.size(), 255);
  size_t padded = (n + 1 + 3) & ~size_t(3);
  size_t len = designator(w, off, protocol, kUtf8, true, association, 0x8, padded);
  std::string_view a1 = a.substr(0, std::min(a.size(), n));
  w.text(off + 4, a1);
  w.text(off + 4 + a1.size(), b.substr(0, n - a1.size()));
  return len;
}

Result vpd_device_identification(const CoreContext& ctx, ResponseWriter& w) {
  size_t off = 4;
  // NAA (type 3), LU association, binary.
  off += designator(w, off, 0, kBinary, false, kAssocLu, 0x3, 8);
  w.be64(off - 8, naa_designator(ctx));
  // T10 vendor ID (type 1), LU association, ASCII (7.8.6.4).
  const Serial s = unit_serial(ctx);
  const size_t t10 = designator(w, off, 0, kAscii, false, kAssocLu, 0x1, 8 + s.len);
  w.padded(off + 4, 8, "NEXUS");
  w.text(off + 12, s.view());
  off += t10;
  if (!ctx.target_name.empty() || !ctx.target_port_name.empty()) {
    // Target port name (SCSI name string, port association).
    if (!ctx.target_port_name.empty()) {
      off += name_string(w, off, ctx.protocol_id, kAssocPort, ctx.target_port_name);
    } else {
      // RFC 7143 iSCSI target port name: "<name>,t,0x<TPGT hex>".
      char tpgt[12];
      static constexpr char kHex[] = "0123456789abcdef";
      tpgt[0] = ',';
      tpgt[1] = 't';
      tpgt[2] = ',';
      tpgt[3] = '0';
      tpgt[4] = 'x';
      for (int i = 0; i < 4; ++i) tpgt[5 + i] = kHex[(ctx.portal_group_tag >> (12 - 4 * i)) & 0xF];
      off += name_string(w, off, ctx.protocol_id, kAssocPort, ctx.target_name,
                         std::string_view(tpgt, 9));
    }
  }
  // Relative target port (type 4, 7.8.6.7) and target port group (type 5,
  // 7.8.6.8), port association.
  off += designator(w, off, ctx.protocol_id, kBinary, true, kAssocPort, 0x4, 4);
  w.be16(off - 2, ctx.relative_target_port);
  off += designator(w, off, ctx.protocol_id, kBinary, true, kAssocPort, 0x5, 4);
  w.be16(off - 2, ctx.target_port_group);
  // Target device name (SCSI name string, target device association).
  if (!ctx.target_name.empty())
    off += name_string(w, off, ctx.protocol_id, kAssocTarget, ctx.target_name);
  vpd_header(w, ctx, 0x83, uint16_t(off - 4));
  return Result::good(w.returned(off));
}

Result vpd_extended_inquiry(const CoreContext& ctx, ResponseWriter& w) {
  // SPC-4 7.8.7 Table 599; page length 3Ch.
  vpd_header(w, ctx, 0x86, 0x3C);
  w.u8(5, 0x04 | 0x02 | 0x01);  // HEADSUP, ORDSUP, SIMPSUP
  w.u8(6, uint8_t((ctx.nonvolatile_cache ? 0x02 : 0) | (ctx.volatile_cache ? 0x01 : 0)));
  // LUICLR=1: SPC-4 requires it (a UA is cleared per I_T_L nexus).
  w.u8(7, 0x01);
  return Result::good(w.returned(64));
}

}  // namespace

uint64_t naa_designator(const CoreContext& ctx) noexcept {
  if (ctx.info && ctx.device && ctx.info->naa_id) return ctx.info->naa_id;
  std::string_view name = ctx.device_name;
  if (name.empty() && is_wlun(ctx)) name = ctx.target_name;
  return (uint64_t(0x3) << 60) | (fnv1a(name) & 0x0FFFFFFFFFFFFFFFull);
}

Result inquiry(const CoreContext& ctx, std::span<const uint8_t> cdb, std::span<uint8_t> buf) {
  if (cdb.size() < 6) return Result::check(sense::invalid_field_in_cdb(0));
  const bool evpd = cdb[1] & 0x01;
  const uint8_t page = cdb[2];
  ResponseWriter w(limit(buf, get_be16(&cdb[3])));
  if (!evpd) {
    if (page != 0) return Result::check(sense::invalid_field_in_cdb(2, 7));
    return standard_inquiry(ctx, w);
  }
  // VPD on a LUN without a logical unit: no device to describe.
  if (!ctx.device && !is_wlun(ctx)) return Result::check(sense::lun_not_supported());
  switch (page) {
    case 0x00:
      return vpd_supported_pages(ctx, w);
    case 0x80:
      return vpd_unit_serial(ctx, w);
    case 0x83:
      return vpd_device_identification(ctx, w);
    case 0x86:
      return vpd_extended_inquiry(ctx, w);
    default:
      break;
  }
  bool listed = false;
  if (ctx.device)
    for (uint8_t p : ctx.device_vpd_pages) listed |= p == page;
  if (!listed) return Result::check(sense::invalid_field_in_cdb(2, 7));
  // The device writes the whole page (header included) into the truncated
  // buffer and reports the full length.
  std::span<uint8_t> out = limit(buf, get_be16(&cdb[3]));
  uint32_t len = 0;
  uint8_t none = 0;  // never hand a device a null pointer, even for 0 bytes
  Status st =
      ctx.device->vpd_page(page, ByteSpan{out.empty() ? &none : out.data(), out.size()}, &len);
  if (st == Status::unsupported || st == Status::not_found)
    return Result::check(sense::invalid_field_in_cdb(2, 7));
  if (st != Status::ok) return Result::check(sense::internal_target_failure());
  return Result::good(uint32_t(std::min<uint64_t>(len, out.size())));
}

}  // namespace nexus::scsi
