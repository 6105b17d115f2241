#include "disk_factory.h"

#include <memory>
#include <string>

#include "disk_device.h"
#include "disk_options.h"
#include "file_backend.h"
#include "nexus/bytes.hpp"
#include "nexus/log.hpp"
#include "null_backend.h"
#include "ram_backend.h"

namespace nexus::disk {

Status create_disk_device(IDeviceHost* host, const IConfigNode* options, IDevice** out) noexcept {
  if (!host || !options || !out) return Status::invalid_argument;
  *out = nullptr;
  try {
    DiskOptions o;
    if (!parse_disk_options(options, &o)) return Status::invalid_argument;
    std::unique_ptr<Backend> backend;
    std::string error;
    const IConfigNode* path_node = options->get(to_str("path"));
    FileBackendConfig fc;
    fc.path = o.path;
    fc.size = o.size;
    fc.create = o.create;
    fc.read_only = o.read_only;
    fc.direct = o.direct;
    fc.thin = o.thin;
    fc.block_size = o.block_size;

    if (host->check_only()) {
      // Validate only: nothing is created or opened for writing.
      uint64_t size = o.size;
      if (o.backend == BackendKind::file && !FileBackend::check(fc, &size, &error)) {
        path_node->error(to_str(error));
        return Status::invalid_argument;
      }
      backend = std::make_unique<NullBackend>(size ? size : o.block_size);
      o.read_only = true;
    } else {
      switch (o.backend) {
        case BackendKind::file:
          backend = FileBackend::open(fc, host, &error);
          break;
        case BackendKind::ram:
          backend = RamBackend::create(o.size, &error);
          break;
        case BackendKind::null:
          backend = std::make_unique<NullBackend>(o.size);
          break;
      }
      if (!backend) {
        (o.backend == BackendKind::file ? path_node : options)->error(to_str(error));
        logf(host, LogLevel::error, "%s", error.c_str());
        return Status::invalid_argument;
      }
    }
    auto* dev = new DiskDevice(host, o, std::move(backend));
    DeviceInfo info{};
    info.struct_size = sizeof info;
    dev->info(&info);
    logf(host, LogLevel::info, "disk: %s backend, %llu blocks of %u bytes%s%s",
         dev->backend()->kind(), static_cast<unsigned long long>(info.num_blocks), info.block_size,
         dev->thin() ? ", thin" : "", o.read_only ? ", read-only" : "");
    *out = dev;
    return Status::ok;
  } catch (const std::bad_alloc&) {
    return Status::no_memory;
  } catch (...) {
    return Status::error;
  }
}

}  // namespace nexus::disk
