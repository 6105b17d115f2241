#include "tape_factory.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "nexus/bytes.hpp"
#include "nexus/log.hpp"
#include "tape_device.h"
#include "tape_options.h"

namespace nexus::tape {

Status create_tape_device(IDeviceHost* host, const IConfigNode* options, IDevice** out) noexcept {
  if (!host || !options || !out) return Status::invalid_argument;
  *out = nullptr;
  try {
    TapeOptions o;
    if (!parse_tape_options(options, &o)) return Status::invalid_argument;
    const IConfigNode* medium_node = options->get(to_str("medium"));
    bool exists = !o.medium.empty() && ::access(o.medium.c_str(), F_OK) == 0;
    if (!o.medium.empty() && !exists && !o.create_medium) {
      medium_node->error(to_str(o.medium + ": " + std::strerror(ENOENT) +
                                " (add create_medium: {barcode, capacity} to create it)"));
      return Status::invalid_argument;
    }
    auto* dev = new TapeDevice(host, o);
    if (host->check_only()) {
      // Validate only: nothing is created, opened for writing or locked.
      if (exists && ::access(o.medium.c_str(), R_OK) != 0) {
        medium_node->error(to_str(o.medium + ": " + std::strerror(errno)));
        dev->destroy();
        return Status::invalid_argument;
      }
      *out = dev;
      return Status::ok;
    }
    if (!o.medium.empty()) {
      std::string error;
      if (!exists) {
        MediaCreateParams p;
        p.barcode = o.create_barcode;
        p.capacity = o.create_capacity;
        if (!TapeMedia::create(o.medium, p, &error)) {
          medium_node->error(to_str(error));
          dev->destroy();
          return Status::invalid_argument;
        }
        logf(host, LogLevel::info, "tape: created %s (%s, %llu bytes)", o.medium.c_str(),
             p.barcode.c_str(), static_cast<unsigned long long>(p.capacity));
      }
      if (!dev->load_at_start(o.medium, o.medium_write_protect, &error)) {
        medium_node->error(to_str(error));
        logf(host, LogLevel::error, "%s", error.c_str());
        dev->destroy();
        return Status::invalid_argument;
      }
    }
    *out = dev;
    return Status::ok;
  } catch (const std::bad_alloc&) {
    return Status::no_memory;
  } catch (...) {
    return Status::error;
  }
}

}  // namespace nexus::tape
