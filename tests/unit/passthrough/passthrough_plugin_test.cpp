// The built dev-passthrough module exports a "passthrough" device descriptor.
#include <dlfcn.h>

#include "nexus/plugin.h"
#include "pt_fakes.h"

namespace nexus::passthrough::test {
namespace {

TEST(PassthroughPlugin, ModuleExportsPassthroughDescriptor) {
  // Never closed: the module may own thread-local state of this thread.
  void* h = dlopen(NEXUS_PASSTHROUGH_MODULE, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(h, nullptr) << dlerror();
  auto* entry = reinterpret_cast<PluginEntryFn*>(dlsym(h, NEXUS_PLUGIN_ENTRY_SYMBOL));
  ASSERT_NE(entry, nullptr) << dlerror();
  const PluginDescriptor* d = (*entry)();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->abi_major, NEXUS_ABI_MAJOR);
  EXPECT_EQ(d->kind, PluginKind::device);
  EXPECT_STREQ(d->name, "passthrough");
  ASSERT_NE(d->create_device, nullptr);
  FakeHost host;
  auto opts = Node::map();
  IDevice* dev = nullptr;
  EXPECT_EQ(d->create_device(&host, opts.get(), &dev), Status::invalid_argument);
  EXPECT_NE(opts->all_errors().find("'path'"), std::string::npos) << opts->all_errors();
}

}  // namespace
}  // namespace nexus::passthrough::test
