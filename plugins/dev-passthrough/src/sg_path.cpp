#include "sg_path.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace nexus::passthrough {
namespace {

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    out.emplace_back(e->d_name);
  }
  ::closedir(d);
  return out;
}

}  // namespace

bool resolve_sg_path(const std::string& path, const SysRoots& roots, std::string* sg_path,
                     std::string* error) {
  if (path.empty()) {
    *error = "must not be empty";
    return false;
  }
  char real[PATH_MAX];
  if (!::realpath(path.c_str(), real)) {
    *error = path + ": " + std::strerror(errno);
    return false;
  }
  struct stat st{};
  if (::stat(real, &st) != 0) {
    *error = std::string(real) + ": " + std::strerror(errno);
    return false;
  }
  bool chr = S_ISCHR(st.st_mode), blk = S_ISBLK(st.st_mode);
  if (!chr && !blk) {
    *error = std::string(real) + " is not a device node (want /dev/sgN, /dev/nstN, /dev/schN, "
                                 "/dev/sdX, /dev/srN or /dev/bsg/H:C:T:L)";
    return false;
  }
  // Every SCSI upper-level node (sg, st, sch, sd, sr, bsg) has a `device`
  // link to its scsi_device, which lists the sg node bound to it.
  std::string node = roots.sys + (chr ? "/dev/char/" : "/dev/block/") +
                     std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev));
  std::string dir = node + "/device/scsi_generic";
  std::vector<std::string> sg = list_dir(dir);
  if (sg.size() != 1) {
    if (blk && ::access((node + "/partition").c_str(), F_OK) == 0)
      *error = std::string(real) + " is a partition; name the whole disk";
    else
      *error = std::string(real) + " has no SCSI generic (sg) node (is the sg module loaded? " +
               dir + " not found)";
    return false;
  }
  std::string sgnode = roots.dev + "/" + sg[0];
  struct stat sgst{};
  if (::stat(sgnode.c_str(), &sgst) != 0 || !S_ISCHR(sgst.st_mode)) {
    *error = std::string(real) + " maps to " + sgnode + ", which is missing or not a character device";
    return false;
  }
  *sg_path = sgnode;
  return true;
}

}  // namespace nexus::passthrough
