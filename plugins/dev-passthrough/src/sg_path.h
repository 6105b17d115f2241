// Finds the sg node behind a configured device path: /dev/sgN itself, a tape
// (st/nst), changer (sch), disk (sd), CD (sr) or bsg node, or any symlink to
// one (/dev/tape/by-id/..., /dev/disk/by-id/...).
#pragma once

#include <string>

namespace nexus::passthrough {

// Where sysfs and the device nodes live (tests point these at a fake tree).
struct SysRoots {
  std::string sys = "/sys";
  std::string dev = "/dev";
};

// Resolves symlinks in `path`, then follows the node's device number through
// /sys/dev/{char,block}/MAJ:MIN/device/scsi_generic/ to its sg node. Returns
// false with a message (without the key name) when it cannot.
bool resolve_sg_path(const std::string& path, const SysRoots& roots, std::string* sg_path,
                     std::string* error);

}  // namespace nexus::passthrough
