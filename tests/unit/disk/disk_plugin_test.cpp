// The built dev-disk module exports a "disk" device descriptor that creates
// working devices.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include "cmd_helpers.h"
#include "nexus/plugin.h"

namespace nexus::disk::test {
namespace {

TEST(DiskPlugin, ModuleExportsDiskDescriptor) {
  // Never closed: the module may own thread-local state of this thread.
  void* h = dlopen(NEXUS_DISK_MODULE, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(h, nullptr) << dlerror();
  auto* entry = reinterpret_cast<PluginEntryFn*>(dlsym(h, NEXUS_PLUGIN_ENTRY_SYMBOL));
  ASSERT_NE(entry, nullptr) << dlerror();
  const PluginDescriptor* d = (*entry)();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->struct_size, sizeof(PluginDescriptor));
  EXPECT_EQ(d->abi_major, NEXUS_ABI_MAJOR);
  EXPECT_EQ(d->kind, PluginKind::device);
  EXPECT_STREQ(d->name, "disk");
  ASSERT_NE(d->create_device, nullptr);

  FakeHost host;
  FakeOptions opts({{"backend", "ram"}, {"size", "1M"}});
  IDevice* raw = nullptr;
  ASSERT_EQ(d->create_device(&host, &opts, &raw), Status::ok) << opts.all_errors();
  DevicePtr dev(raw);
  std::vector<uint8_t> blk(512, 0x42);
  EXPECT_GOOD(exec(dev.get(), cdb10(op::kWrite10, 1, 1), 512, &blk));
  auto r = exec(dev.get(), cdb10(op::kRead10, 1, 1), 512);
  EXPECT_EQ(r->data(), blk);
  FakeOptions bad(std::map<std::string, std::string>{{"backend", "ram"}});
  EXPECT_EQ(d->create_device(&host, &bad, &raw), Status::invalid_argument);
  EXPECT_FALSE(bad.errors.empty());
}

}  // namespace
}  // namespace nexus::disk::test
