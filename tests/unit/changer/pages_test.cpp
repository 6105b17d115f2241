// Mode pages 1Dh/1Eh/1Fh, opcode rows and the plugin module.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include "library_fixture.h"
#include "nexus/plugin.h"

namespace nexus::changer::test {
namespace {

std::vector<uint8_t> page(IDevice* d, uint8_t code, ModePageControl pc = ModePageControl::current) {
  std::vector<uint8_t> b(64, 0xEE);
  uint32_t len = 0;
  EXPECT_EQ(d->mode_page({code, 0}, pc, ByteSpan{b.data(), b.size()}, &len), Status::ok);
  b.resize(len);
  return b;
}

TEST(ChangerPages, ElementAddressAssignment) {
  Library lib;
  ASSERT_EQ(lib.start(), Status::ok);
  const ModePageId* ids = nullptr;
  ASSERT_EQ(lib.dev->mode_pages(&ids), 3u);
  auto p = page(lib.dev.get(), 0x1D);
  ASSERT_EQ(p.size(), 20u);
  EXPECT_EQ(p[0], 0x1D);
  EXPECT_EQ(p[1], 0x12);
  EXPECT_EQ(get_be16(&p[2]), 0x0000);  // first medium transport
  EXPECT_EQ(get_be16(&p[4]), 1);
  EXPECT_EQ(get_be16(&p[6]), 0x1000);  // first storage
  EXPECT_EQ(get_be16(&p[8]), 10);
  EXPECT_EQ(get_be16(&p[10]), 0x0010);  // first import/export
  EXPECT_EQ(get_be16(&p[12]), 2);
  EXPECT_EQ(get_be16(&p[14]), 0x0100);  // first data transfer
  EXPECT_EQ(get_be16(&p[16]), 2);
  auto chg = page(lib.dev.get(), 0x1D, ModePageControl::changeable);
  EXPECT_EQ(std::vector<uint8_t>(chg.begin() + 2, chg.end()), std::vector<uint8_t>(18, 0));
}

TEST(ChangerPages, TransportGeometryAndDeviceCapabilities) {
  Library lib;
  ASSERT_EQ(lib.start(), Status::ok);
  auto g = page(lib.dev.get(), 0x1E);
  EXPECT_EQ(g, (std::vector<uint8_t>{0x1E, 0x02, 0x00, 0x00}));
  auto c = page(lib.dev.get(), 0x1F);
  ASSERT_EQ(c.size(), 20u);
  EXPECT_EQ(c[1], 0x12);
  EXPECT_EQ(c[2], 0x0E);  // StorDT StorI/E StorST, not StorMT
  EXPECT_EQ(c[4], 0x00);  // nothing moves from the transport
  EXPECT_EQ(c[5], 0x0E);
  EXPECT_EQ(c[6], 0x0E);
  EXPECT_EQ(c[7], 0x0E);
  EXPECT_EQ(c[13], 0x0E);  // EXCHANGE MEDIUM from storage
  uint32_t len = 0;
  EXPECT_EQ(lib.dev->mode_page({0x08, 0}, ModePageControl::current, ByteSpan{nullptr, 0}, &len),
            Status::unsupported);
  BlockDescriptor bd{};
  EXPECT_EQ(lib.dev->block_descriptor(&bd), Status::unsupported);
}

TEST(ChangerPages, ModeSelectAcceptsOnlyTheCurrentValues) {
  Library lib;
  ASSERT_EQ(lib.start(), Status::ok);
  auto p = page(lib.dev.get(), 0x1D);
  SenseInfo s{};
  EXPECT_EQ(lib.dev->mode_select_page({0x1D, 0}, ConstByteSpan{p.data(), p.size()}, &s),
            Status::ok);
  p[9] = 11;  // more slots, please
  EXPECT_EQ(lib.dev->mode_select_page({0x1D, 0}, ConstByteSpan{p.data(), p.size()}, &s),
            Status::invalid_argument);
  EXPECT_EQ(s.asc, 0x26);
  EXPECT_EQ(s.field_pointer, 9);
}

TEST(ChangerOpcodes, RowsDescribeTheCommands) {
  Library lib;
  ASSERT_EQ(lib.start(), Status::ok);
  const OpcodeInfo* rows = nullptr;
  uint32_t n = lib.dev->opcodes(&rows);
  bool seen_res = false, seen_move = false;
  for (uint32_t i = 0; i < n; ++i) {
    const OpcodeInfo& r = rows[i];
    EXPECT_EQ(r.usage[0], r.opcode);
    if (r.opcode == op::kReadElementStatus) {
      seen_res = true;
      EXPECT_TRUE(r.flags & OpcodeFlags::allocation_length);
      EXPECT_EQ(r.len_offset, 7);
      EXPECT_EQ(r.len_size, 3);
      EXPECT_EQ(r.direction, DataDir::read);
    }
    if (r.opcode == op::kMoveMedium) {
      seen_move = true;
      EXPECT_TRUE(r.flags & OpcodeFlags::serialize_lu);
      EXPECT_EQ(r.usage[10], 0);  // INVERT not supported
    }
  }
  EXPECT_TRUE(seen_res && seen_move);
}

TEST(ChangerPlugin, ModuleExportsChangerDescriptor) {
  void* h = dlopen(NEXUS_CHANGER_MODULE, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(h, nullptr) << dlerror();
  auto* entry = reinterpret_cast<PluginEntryFn*>(dlsym(h, NEXUS_PLUGIN_ENTRY_SYMBOL));
  ASSERT_NE(entry, nullptr) << dlerror();
  const PluginDescriptor* d = (*entry)();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->abi_major, NEXUS_ABI_MAJOR);
  EXPECT_EQ(d->kind, PluginKind::device);
  EXPECT_STREQ(d->name, "changer");
  ASSERT_NE(d->create_device, nullptr);
  Library lib;
  auto opts = library_options(lib.media.path(), default_carts());
  std::vector<std::string> errors;
  opts->finish(&errors);
  IDevice* raw = nullptr;
  ASSERT_EQ(d->create_device(&lib.host, opts.get(), &raw), Status::ok);
  DevicePtr dev(raw);
  FakeCommand c(move_cdb(kSlot1, kDrive0), 0);
  dev->execute(&c);
  EXPECT_EQ(c.status(), ScsiStatus::good);
  EXPECT_EQ(lib.tape0.state(), MediumState::loaded);
}

}  // namespace
}  // namespace nexus::changer::test
