#include "cdrom_factory.h"

#include <string>

#include "cdrom_device.h"
#include "cdrom_options.h"
#include "nexus/bytes.hpp"
#include "nexus/log.hpp"

namespace nexus::cdrom {

Status create_cdrom_device(IDeviceHost* host, const IConfigNode* options, IDevice** out) noexcept {
  if (!host || !options || !out) return Status::invalid_argument;
  *out = nullptr;
  try {
    CdromOptions o;
    if (!parse_cdrom_options(options, &o)) return Status::invalid_argument;
    const IConfigNode* image_node = options->get(to_str("image"));
    std::string error;
    if (host->check_only()) {
      // Validate only: the image must exist and be readable.
      if (!o.image.empty() && !DiscImage::check(o.image, &error)) {
        image_node->error(to_str(error));
        return Status::invalid_argument;
      }
      *out = new CdromDevice(host, o);
      return Status::ok;
    }
    auto dev = std::make_unique<CdromDevice>(host, o);
    if (!o.image.empty()) {
      if (!dev->load_initial(o.image, &error)) {
        image_node->error(to_str(error));
        logf(host, LogLevel::error, "cdrom: %s", error.c_str());
        return Status::invalid_argument;
      }
      DeviceInfo info{};
      info.struct_size = sizeof info;
      dev->info(&info);
      logf(host, LogLevel::info, "cdrom: %s, %llu blocks of 2048 bytes", o.image.c_str(),
           static_cast<unsigned long long>(info.num_blocks));
    } else {
      logf(host, LogLevel::info, "cdrom: started without a disc");
    }
    *out = dev.release();
    return Status::ok;
  } catch (const std::bad_alloc&) {
    return Status::no_memory;
  } catch (...) {
    return Status::error;
  }
}

}  // namespace nexus::cdrom
