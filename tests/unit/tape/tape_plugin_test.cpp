// The built dev-tape module exports a "tape" device descriptor that creates
// working drives.
#include <dlfcn.h>

#include "nexus/plugin.h"
#include "tape_fakes.h"

namespace nexus::tape::test {
namespace {

TEST(TapePlugin, ModuleExportsTapeDescriptor) {
  // Never closed: the module may own thread-local state of this thread.
  void* h = dlopen(NEXUS_TAPE_MODULE, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(h, nullptr) << dlerror();
  auto* entry = reinterpret_cast<PluginEntryFn*>(dlsym(h, NEXUS_PLUGIN_ENTRY_SYMBOL));
  ASSERT_NE(entry, nullptr) << dlerror();
  const PluginDescriptor* d = (*entry)();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->abi_major, NEXUS_ABI_MAJOR);
  EXPECT_EQ(d->kind, PluginKind::device);
  EXPECT_STREQ(d->name, "tape");
  ASSERT_NE(d->create_device, nullptr);

  TempDir dir;
  FakeHost host;
  auto opts = Node::map();
  opts->set("medium", dir.file("m.tape"));
  opts->child("create_medium").set("barcode", "P00001L8").set("capacity", "1M");
  IDevice* raw = nullptr;
  ASSERT_EQ(d->create_device(&host, opts.get(), &raw), Status::ok) << opts->all_errors();
  DevicePtr dev(raw);
  std::vector<uint8_t> cdb = {op::kWriteFilemarks6, 0, 0, 0, 1, 0};
  FakeCommand c(cdb, 0);
  dev->execute(&c);
  EXPECT_EQ(c.status(), ScsiStatus::good);
}

}  // namespace
}  // namespace nexus::tape::test
