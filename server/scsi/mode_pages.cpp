#include "scsi/mode_pages.h"

#include <algorithm>
#include <array>
#include <bit>
#include <vector>

#include "nexus/bytes.hpp"
#include "nexus/sense.hpp"
#include "scsi/core_opcode_rows.h"
#include "scsi/response_writer.h"

namespace nexus::scsi {
namespace {

constexpr uint8_t kAllPages = 0x3F;
constexpr uint8_t kAllSubpages = 0xFF;
constexpr size_t kMaxPages = 128;

SenseInfo saving_not_supported() { return sense::make(SenseKey::illegal_request, 0x39, 0x00); }

// A page of the LU: the core's (core != null) or the device's.
struct PageRef {
  ModePageId id;
  const CoreModePage* core;
};

bool operator<(const PageRef& a, const PageRef& b) {
  return a.id.page != b.id.page ? a.id.page < b.id.page : a.id.subpage < b.id.subpage;
}

// All pages, ascending by page then subpage. Device pages may not shadow
// core pages.
size_t list_pages(const CoreContext& ctx, std::array<PageRef, kMaxPages>& out) {
  size_t n = 0;
  for (const auto& p : core_mode_pages()) out[n++] = {p.id, &p};
  if (ctx.device) {
    const ModePageId* ids = nullptr;
    uint32_t count = ctx.device->mode_pages(&ids);
    for (uint32_t i = 0; ids && i < count && n < kMaxPages; ++i) {
      ModePageId id = ids[i];
      id.page &= 0x3F;
      if (id.page == kAllPages || id.subpage == kAllSubpages || find_core_mode_page(id)) continue;
      bool dup = false;
      for (size_t j = 0; j < n; ++j)
        dup |= out[j].id.page == id.page && out[j].id.subpage == id.subpage;
      if (!dup) out[n++] = {id, nullptr};
    }
  }
  std::sort(out.begin(), out.begin() + n);
  return n;
}

const PageRef* find_page(const std::array<PageRef, kMaxPages>& pages, size_t n, ModePageId id) {
  for (size_t i = 0; i < n; ++i)
    if (pages[i].id.page == id.page && pages[i].id.subpage == id.subpage) return &pages[i];
  return nullptr;
}

// Reads a whole page into `out`; false if the device fails.
bool read_page(const CoreContext& ctx, const PageRef& p, ModePageControl pc,
               std::vector<uint8_t>& out) {
  if (p.core) {
    out.assign(p.core->length, 0);
    p.core->encode(*ctx.control, pc, out);
    return true;
  }
  out.assign(256, 0);
  uint32_t len = 0;
  if (ctx.device->mode_page(p.id, pc, ByteSpan{out.data(), out.size()}, &len) != Status::ok)
    return false;
  if (len > out.size()) {
    if (len > 0xFFFF + 4) return false;
    out.assign(len, 0);
    if (ctx.device->mode_page(p.id, pc, ByteSpan{out.data(), out.size()}, &len) != Status::ok)
      return false;
  }
  out.resize(std::min<size_t>(len, out.size()));
  return out.size() >= 2;
}

bool write_protected(const CoreContext& ctx) {
  return ctx.read_only || (ctx.control && ctx.control->swp) ||
         (ctx.info && (ctx.info->flags & DeviceInfoFlags::write_protected));
}

bool is_disk(const CoreContext& ctx) { return ctx.info && ctx.info->type == PeripheralType::disk; }

// Writes the block descriptor; returns its length.
size_t put_block_descriptor(ResponseWriter& w, size_t off, const CoreContext& ctx,
                            const BlockDescriptor& bd, bool long_lba) {
  if (long_lba) {  // SPC-4 7.5.5.3 / SBC-3 6.4.2.3
    w.be64(off, bd.num_blocks);
    if (!is_disk(ctx)) w.u8(off + 8, bd.density);
    w.be32(off + 12, bd.block_length);
    return 16;
  }
  if (is_disk(ctx)) {  // SBC-3 6.4.2.2
    w.be32(off, uint32_t(std::min<uint64_t>(bd.num_blocks, 0xFFFFFFFFu)));
  } else {  // SPC-4 7.5.5.2
    w.u8(off, bd.density);
    w.be24(off + 1, uint32_t(std::min<uint64_t>(bd.num_blocks, 0xFFFFFFu)));
  }
  w.be24(off + 5, std::min<uint32_t>(bd.block_length, 0xFFFFFFu));
  return 8;
}

bool selected(const PageRef& p, uint8_t page, uint8_t sub) {
  if (page == kAllPages) return sub == kAllSubpages || p.id.subpage == 0;
  if (p.id.page != page) return false;
  return sub == kAllSubpages || p.id.subpage == sub;
}

// Highest set bit of a non-zero byte.
int msb(uint8_t v) { return std::bit_width(unsigned(v)) - 1; }

SenseInfo shift_param_pointer(SenseInfo s, size_t by) {
  if ((s.flags & SenseFlags::field_valid) && !(s.flags & SenseFlags::field_in_cdb))
    s.field_pointer = uint16_t(s.field_pointer + by);
  return s;
}

}  // namespace

Result mode_sense(const CoreContext& ctx, std::span<const uint8_t> cdb, std::span<uint8_t> buf) {
  const bool ten = cdb.size() >= 10 && cdb[0] == op::mode_sense_10;
  if (cdb.size() < 6 || !ctx.control) return Result::check(sense::invalid_field_in_cdb(0));
  const bool dbd = cdb[1] & 0x08;
  const bool llbaa = ten && (cdb[1] & 0x10);
  const auto pc = ModePageControl(cdb[2] >> 6);
  const uint8_t page = cdb[2] & 0x3F;
  const uint8_t sub = cdb[3];
  const uint32_t alloc = ten ? get_be16(&cdb[7]) : cdb[4];
  if (pc == ModePageControl::saved) return Result::check(saving_not_supported());
  if (page == kAllPages && sub != 0 && sub != kAllSubpages)
    return Result::check(sense::invalid_field_in_cdb(3, 7));

  std::array<PageRef, kMaxPages> pages;
  const size_t n = list_pages(ctx, pages);
  bool page_exists = false, any = false;
  for (size_t i = 0; i < n; ++i) {
    page_exists |= page == kAllPages || pages[i].id.page == page;
    any |= selected(pages[i], page, sub);
  }
  if (!page_exists) return Result::check(sense::invalid_field_in_cdb(2, 5));
  if (!any) return Result::check(sense::invalid_field_in_cdb(3, 7));

  ResponseWriter w(limit(buf, alloc));
  const size_t header = ten ? 8 : 4;
  const size_t max_total = ten ? 0xFFFF + 2 : 0xFF + 1;
  size_t off = header;

  BlockDescriptor bd{};
  bd.struct_size = sizeof(bd);
  if (!dbd && ctx.device && ctx.device->block_descriptor(&bd) == Status::ok)
    off += put_block_descriptor(w, off, ctx, bd, llbaa);
  const size_t bd_len = off - header;

  std::array<uint8_t, 64> scratch{};
  for (size_t i = 0; i < n; ++i) {
    const PageRef& p = pages[i];
    if (!selected(p, page, sub)) continue;
    size_t len;
    if (p.core) {
      len = p.core->length;
      p.core->encode(*ctx.control, pc, std::span<uint8_t>(scratch).first(len));
      if (off + len <= max_total) w.bytes(off, std::span<const uint8_t>(scratch).first(len));
    } else {
      std::span<uint8_t> t = w.tail(off);
      uint8_t none = 0;  // never hand a device a null pointer, even for 0 bytes
      uint32_t full = 0;
      if (ctx.device->mode_page(p.id, pc, ByteSpan{t.empty() ? &none : t.data(), t.size()},
                                &full) != Status::ok)
        continue;
      len = full;
    }
    if (off + len > max_total) continue;  // MODE SENSE(6): MODE DATA LENGTH is one byte
    w.u8(off, uint8_t((p.id.subpage ? 0x40 : 0) | p.id.page));  // PS=0, SPF, page code
    off += len;
  }
  if (off == header + bd_len && page != kAllPages)
    return Result::check(sense::invalid_field_in_cdb(2, 5));

  uint8_t dsp = write_protected(ctx) ? 0x80 : 0;
  if (is_disk(ctx)) dsp |= 0x10;  // DPOFUA
  if (ten) {
    w.be16(0, uint16_t(off - 2));
    w.u8(3, dsp);
    if (llbaa && bd_len == 16) w.u8(4, 0x01);  // LONGLBA
    w.be16(6, uint16_t(bd_len));
  } else {
    w.u8(0, uint8_t(off - 1));
    w.u8(2, dsp);
    w.u8(3, uint8_t(bd_len));
  }
  return Result::good(w.returned(off));
}

Result mode_select(const CoreContext& ctx, std::span<const uint8_t> cdb,
                   std::span<const uint8_t> params) {
  const bool ten = cdb.size() >= 10 && cdb[0] == op::mode_select_10;
  if (cdb.size() < 6 || !ctx.control) return Result::check(sense::invalid_field_in_cdb(0));
  if (!(cdb[1] & 0x10)) return Result::check(sense::invalid_field_in_cdb(1, 4));  // PF
  if (cdb[1] & 0x01) return Result::check(sense::invalid_field_in_cdb(1, 0));     // SP
  const size_t plen = ten ? get_be16(&cdb[7]) : cdb[4];
  if (plen == 0) return Result::good();  // SPC-4 6.13: not an error
  if (params.size() < plen) return Result::check(sense::param_list_length_error());
  const uint8_t* p = params.data();
  const size_t header = ten ? 8 : 4;
  if (plen < header) return Result::check(sense::param_list_length_error());
  // MODE DATA LENGTH is reserved in MODE SELECT; initiators often echo the
  // MODE SENSE header back, so it is ignored. So is the device-specific
  // parameter (WP/DPOFUA are reserved here, SBC-3 6.4.1).
  if (p[1] != 0) return Result::check(sense::invalid_field_in_param(1, 7));  // medium type
  const bool long_lba = ten && (p[4] & 0x01);
  const size_t bd_len = ten ? get_be16(&p[6]) : p[3];
  const size_t bd_field = ten ? 6 : 3;
  if (bd_len != 0 && bd_len != (long_lba ? 16u : 8u))
    return Result::check(sense::invalid_field_in_param(uint16_t(bd_field), 7));
  if (header + bd_len > plen) return Result::check(sense::param_list_length_error());

  // --- Block descriptor ---
  bool bd_changed = false;
  BlockDescriptor cur{}, want{};
  cur.struct_size = want.struct_size = sizeof(BlockDescriptor);
  if (bd_len) {
    const uint8_t* b = p + header;
    uint64_t nb;
    uint32_t bl;
    uint8_t density = 0;
    if (long_lba) {
      nb = get_be64(b);
      density = is_disk(ctx) ? 0 : b[8];
      bl = get_be32(b + 12);
    } else if (is_disk(ctx)) {
      nb = get_be32(b);
      bl = get_be24(b + 5);
    } else {
      density = b[0];
      nb = get_be24(b + 1);
      bl = get_be24(b + 5);
    }
    const bool has = ctx.device && ctx.device->block_descriptor(&cur) == Status::ok;
    if (!has) {
      if (nb || bl || density)
        return Result::check(sense::invalid_field_in_param(uint16_t(header)));
    } else {
      want = cur;
      // The reported (possibly clamped) count or 0 keeps the capacity.
      const uint64_t reported = long_lba       ? cur.num_blocks
                                : is_disk(ctx) ? std::min<uint64_t>(cur.num_blocks, 0xFFFFFFFFu)
                                               : std::min<uint64_t>(cur.num_blocks, 0xFFFFFFu);
      if (nb != 0 && nb != reported) want.num_blocks = nb;
      want.block_length = bl;
      if (!is_disk(ctx)) want.density = density;
      bd_changed = want.num_blocks != cur.num_blocks || want.block_length != cur.block_length ||
                   want.density != cur.density;
    }
  }

  // --- Pages: validate all before applying any ---
  std::array<PageRef, kMaxPages> pages;
  const size_t n = list_pages(ctx, pages);
  struct Pending {
    const PageRef* ref;
    size_t off, len;
  };
  std::array<Pending, 64> todo;
  size_t ntodo = 0;
  std::vector<uint8_t> cur_page, mask;
  size_t off = header + bd_len;
  while (off < plen) {
    if (off + 2 > plen) return Result::check(sense::param_list_length_error());
    const bool spf = p[off] & 0x40;
    ModePageId id{uint8_t(p[off] & 0x3F), 0};
    size_t len = size_t(p[off + 1]) + 2;
    size_t body = 2;
    if (spf) {
      if (off + 4 > plen) return Result::check(sense::param_list_length_error());
      id.subpage = p[off + 1];
      len = size_t(get_be16(&p[off + 2])) + 4;
      body = 4;
    }
    if (off + len > plen) return Result::check(sense::param_list_length_error());
    const PageRef* ref = (spf && id.subpage == 0) ? nullptr : find_page(pages, n, id);
    if (!ref) return Result::check(sense::invalid_field_in_param(uint16_t(off), 5));
    if (!read_page(ctx, *ref, ModePageControl::current, cur_page) ||
        !read_page(ctx, *ref, ModePageControl::changeable, mask))
      return Result::check(sense::internal_target_failure());
    if (cur_page.size() != len)
      return Result::check(sense::invalid_field_in_param(uint16_t(off + (spf ? 2 : 1)), 7));
    bool changed = false;
    for (size_t i = body; i < len; ++i) {
      const uint8_t diff = p[off + i] ^ cur_page[i];
      const uint8_t bad = diff & uint8_t(~(i < mask.size() ? mask[i] : 0));
      if (bad) return Result::check(sense::invalid_field_in_param(uint16_t(off + i), msb(bad)));
      changed |= diff != 0;
    }
    SenseInfo s{};
    if (ref->core && !ref->core->check(params.subspan(off, len), &s))
      return Result::check(shift_param_pointer(s, off));
    if (changed) {
      if (ntodo == todo.size())
        return Result::check(sense::invalid_field_in_param(uint16_t(off), 5));
      todo[ntodo++] = {ref, off, len};
    }
    off += len;
  }

  // --- Apply ---
  Result r = Result::good();
  if (bd_changed) {
    SenseInfo s = sense::internal_target_failure();
    if (ctx.device->set_block_descriptor(&want, &s) != Status::ok)
      return Result::check(shift_param_pointer(s, header));
    r.block_descriptor_changed = true;
  }
  for (size_t i = 0; i < ntodo; ++i) {
    const Pending& t = todo[i];
    std::span<const uint8_t> page = params.subspan(t.off, t.len);
    if (t.ref->core) {
      t.ref->core->apply(page, *ctx.control);
      continue;
    }
    SenseInfo s = sense::internal_target_failure();
    if (ctx.device->mode_select_page(t.ref->id, ConstByteSpan{page.data(), page.size()}, &s) !=
        Status::ok) {
      Result e = Result::check(shift_param_pointer(s, t.off));
      e.mode_parameters_changed = r.block_descriptor_changed || i > 0;
      e.block_descriptor_changed = r.block_descriptor_changed;
      return e;
    }
  }
  r.mode_parameters_changed = bd_changed || ntodo > 0;
  return r;
}

}  // namespace nexus::scsi
