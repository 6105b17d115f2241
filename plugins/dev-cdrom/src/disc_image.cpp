#include "disc_image.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace nexus::cdrom {
namespace {

// Size of an open image; false with *error on failure.
bool image_size(int fd, const std::string& path, uint64_t* size, std::string* error) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    *error = path + ": " + std::strerror(errno);
    return false;
  }
  if (S_ISREG(st.st_mode)) {
    *size = uint64_t(st.st_size);
  } else if (S_ISBLK(st.st_mode)) {
    uint64_t bytes = 0;
    if (::ioctl(fd, BLKGETSIZE64, &bytes) != 0) {
      *error = path + ": " + std::strerror(errno);
      return false;
    }
    *size = bytes;
  } else {
    *error = path + ": not a regular file or block device";
    return false;
  }
  if (*size == 0) {
    *error = path + ": image is empty";
    return false;
  }
  return true;
}

}  // namespace

std::shared_ptr<const DiscImage> DiscImage::open(const std::string& path, std::string* error) {
  if (path.empty()) {
    *error = "no image path";
    return nullptr;
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = path + ": " + std::strerror(errno);
    return nullptr;
  }
  uint64_t size = 0;
  if (!image_size(fd, path, &size, error)) {
    ::close(fd);
    return nullptr;
  }
  return std::shared_ptr<const DiscImage>(new DiscImage(fd, size, path));
}

bool DiscImage::check(const std::string& path, std::string* error) {
  return open(path, error) != nullptr;
}

DiscImage::~DiscImage() { ::close(fd_); }

int DiscImage::read(uint64_t offset, uint64_t len, const IoVec* iov,
                    uint32_t iovcnt) const noexcept {
  try {
    // The segments trimmed to `len` bytes.
    std::vector<struct iovec> v;
    v.reserve(iovcnt);
    uint64_t want = 0;
    for (uint32_t i = 0; i < iovcnt && want < len; ++i) {
      uint64_t k = std::min<uint64_t>(iov[i].len, len - want);
      if (k) v.push_back(iovec{iov[i].base, size_t(k)});
      want += k;
    }
    size_t first = 0;
    uint64_t pos = offset;
    while (first < v.size()) {
      if (pos >= size_) break;  // past EOF: zero-fill below
      int cnt = int(std::min<size_t>(v.size() - first, IOV_MAX));
      ssize_t r = ::preadv(fd_, &v[first], cnt, off_t(pos));
      if (r < 0) {
        if (errno == EINTR) continue;
        return -errno;
      }
      if (r == 0) break;  // file shrank under us: zeros, like past EOF
      pos += uint64_t(r);
      // Advance over the bytes read.
      uint64_t done = uint64_t(r);
      while (first < v.size() && done >= v[first].iov_len) {
        done -= v[first].iov_len;
        ++first;
      }
      if (first < v.size() && done) {
        v[first].iov_base = static_cast<uint8_t*>(v[first].iov_base) + done;
        v[first].iov_len -= done;
      }
    }
    for (size_t i = first; i < v.size(); ++i) std::memset(v[i].iov_base, 0, v[i].iov_len);
    return 0;
  } catch (const std::bad_alloc&) {
    return -ENOMEM;
  }
}

}  // namespace nexus::cdrom
