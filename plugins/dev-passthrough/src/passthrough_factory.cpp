#include "passthrough_factory.h"

#include <new>
#include <string>

#include "nexus/bytes.hpp"
#include "nexus/log.hpp"
#include "passthrough_device.h"
#include "pt_options.h"
#include "sg_path.h"
#include "sg_pt_backend.h"

namespace nexus::passthrough {

Status create_passthrough_device(IDeviceHost* host, const IConfigNode* options,
                                 const BackendFactory& backend, const PathResolver& resolve,
                                 IDevice** out) noexcept {
  if (!host || !options || !out) return Status::invalid_argument;
  *out = nullptr;
  try {
    PassthroughOptions o;
    if (!parse_passthrough_options(options, &o)) return Status::invalid_argument;
    const IConfigNode* path_node = options->get(to_str("path"));
    std::string sg, error;
    if (!resolve(o.path, &sg, &error)) {
      path_node->error(to_str(error));
      return Status::invalid_argument;
    }
    auto* dev = new PassthroughDevice(host, o, backend(), resolve);
    if (host->check_only()) {
      // Validate only: the node exists and maps to an sg node; not opened.
      *out = dev;
      return Status::ok;
    }
    if (!dev->open(&error)) {
      path_node->error(to_str(error));
      logf(host, LogLevel::error, "passthrough %.*s: %s", int(host->name().size),
           host->name().data, error.c_str());
      dev->destroy();
      return Status::io_error;
    }
    *out = dev;
    return Status::ok;
  } catch (const std::bad_alloc&) {
    return Status::no_memory;
  } catch (...) {
    return Status::error;
  }
}

Status create_passthrough_device(IDeviceHost* host, const IConfigNode* options,
                                 IDevice** out) noexcept {
  try {
    PathResolver resolve = [](const std::string& path, std::string* sg, std::string* error) {
      return resolve_sg_path(path, SysRoots{}, sg, error);
    };
    return create_passthrough_device(host, options, SgPtBackend::factory(), resolve, out);
  } catch (...) {
    return Status::no_memory;
  }
}

}  // namespace nexus::passthrough
