// The built dev-cdrom module exports a "cdrom" device descriptor that
// creates working drives.
#include <dlfcn.h>

#include "cdrom_fakes.h"
#include "nexus/plugin.h"

namespace nexus::cdrom::test {
namespace {

TEST(CdromPlugin, ModuleExportsCdromDescriptor) {
  void* h = dlopen(NEXUS_CDROM_MODULE, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(h, nullptr) << dlerror();
  auto* entry = reinterpret_cast<PluginEntryFn*>(dlsym(h, NEXUS_PLUGIN_ENTRY_SYMBOL));
  ASSERT_NE(entry, nullptr) << dlerror();
  const PluginDescriptor* d = (*entry)();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->struct_size, sizeof(PluginDescriptor));
  EXPECT_EQ(d->abi_major, NEXUS_ABI_MAJOR);
  EXPECT_EQ(d->kind, PluginKind::device);
  EXPECT_STREQ(d->name, "cdrom");
  ASSERT_NE(d->create_device, nullptr);

  TempDir dir;
  std::string img = make_image(dir, "a.iso", 4 * 2048, 4);
  FakeHost host;
  FakeOptions opts({{"image", img}});
  IDevice* raw = nullptr;
  ASSERT_EQ(d->create_device(&host, &opts, &raw), Status::ok) << opts.all_errors();
  DevicePtr dev(raw);
  ASSERT_NE(dev->removable_medium(), nullptr);
  auto r = exec(dev.get(), read10(1, 1), 2048);
  EXPECT_GOOD(r);
  EXPECT_EQ(r->data()[0], pattern(2048, 4));
}

}  // namespace
}  // namespace nexus::cdrom::test
