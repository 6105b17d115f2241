#include "file_backend.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <vector>

#include "nexus/log.hpp"

namespace nexus::disk {
namespace {

std::string errstr(int e) { return std::strerror(e); }

std::string dirname_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

bool block_device_can_discard(dev_t rdev) {
  char p[96];
  std::snprintf(p, sizeof p, "/sys/dev/block/%u:%u/queue/discard_max_bytes", major(rdev),
                minor(rdev));
  std::ifstream f(p);
  unsigned long long v = 0;
  return f && (f >> v) && v > 0;
}

uint32_t clamp_physical(uint64_t v, uint32_t block_size) {
  if (v < block_size || v > 65536 || (v & (v - 1))) return block_size;
  return uint32_t(v);
}

// Skips `done` bytes of an iovec array into out.
void advance_iov(const iovec* iov, int cnt, uint64_t done, std::vector<iovec>* out) {
  out->clear();
  for (int i = 0; i < cnt; ++i) {
    if (done >= iov[i].iov_len) {
      done -= iov[i].iov_len;
      continue;
    }
    out->push_back(iovec{static_cast<uint8_t*>(iov[i].iov_base) + done, iov[i].iov_len - done});
    done = 0;
  }
}

}  // namespace

bool FileBackend::check(const FileBackendConfig& cfg, uint64_t* size, std::string* error) {
  struct stat st;
  if (::stat(cfg.path.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      *error = "backing file '" + cfg.path + "': " + errstr(errno);
      return false;
    }
    if (!cfg.create) {
      *error = "backing file '" + cfg.path + "' does not exist (set 'create: true' to create it)";
      return false;
    }
    std::string dir = dirname_of(cfg.path);
    struct stat dst;
    if (::stat(dir.c_str(), &dst) != 0 || !S_ISDIR(dst.st_mode)) {
      *error =
          "cannot create backing file '" + cfg.path + "': directory '" + dir + "' does not exist";
      return false;
    }
    *size = cfg.size;
    return true;
  }
  if (S_ISDIR(st.st_mode)) {
    *error = "backing file '" + cfg.path + "' is a directory";
    return false;
  }
  if (S_ISBLK(st.st_mode)) {
    int fd = ::open(cfg.path.c_str(), O_RDONLY | O_CLOEXEC);
    uint64_t dev_size = 0;
    if (fd >= 0) {
      if (ioctl(fd, BLKGETSIZE64, &dev_size) != 0) dev_size = 0;
      ::close(fd);
    }
    *size = cfg.size ? cfg.size : dev_size;
    return true;
  }
  if (!S_ISREG(st.st_mode)) {
    *error = "backing file '" + cfg.path + "' is neither a regular file nor a block device";
    return false;
  }
  if (!cfg.size && uint64_t(st.st_size) < cfg.block_size) {
    *error = "backing file '" + cfg.path + "' is smaller than one block; set 'size'";
    return false;
  }
  if (cfg.read_only && cfg.size > uint64_t(st.st_size)) {
    *error = "backing file '" + cfg.path + "' is smaller than 'size' and read_only";
    return false;
  }
  *size = cfg.size ? cfg.size : uint64_t(st.st_size);
  return true;
}

std::unique_ptr<FileBackend> FileBackend::open(const FileBackendConfig& cfg, IDeviceHost* host,
                                               std::string* error) {
  std::unique_ptr<FileBackend> b(new FileBackend());
  b->host_ = host;
  b->use_uring_ = cfg.use_uring;
  const char* path = cfg.path.c_str();
  struct stat st;
  bool exists = ::stat(path, &st) == 0;
  if (!exists) {
    uint64_t dummy;
    if (!check(cfg, &dummy, error)) return nullptr;
  } else if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
    *error = "backing file '" + cfg.path + "' is neither a regular file nor a block device";
    return nullptr;
  }
  int flags = (cfg.read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC;
  if (!exists) flags |= O_CREAT | O_EXCL;
  b->fd_ = ::open(path, flags, 0600);
  if (b->fd_ < 0) {
    *error = "cannot open backing file '" + cfg.path + "': " + errstr(errno);
    return nullptr;
  }
  if (fstat(b->fd_, &st) != 0) {
    *error = "cannot stat backing file '" + cfg.path + "': " + errstr(errno);
    return nullptr;
  }
  if (S_ISBLK(st.st_mode)) {
    b->block_device_ = true;
    uint64_t dev_size = 0;
    int lss = 512;
    unsigned int pbs = 0;
    if (ioctl(b->fd_, BLKGETSIZE64, &dev_size) != 0) {
      *error = "cannot get the size of '" + cfg.path + "': " + errstr(errno);
      return nullptr;
    }
    if (ioctl(b->fd_, BLKSSZGET, &lss) == 0 && uint32_t(lss) > cfg.block_size) {
      *error = "block device '" + cfg.path + "' has " + std::to_string(lss) +
               "-byte sectors, more than block_size";
      return nullptr;
    }
    if (ioctl(b->fd_, BLKPBSZGET, &pbs) != 0) pbs = 0;
    if (cfg.size > dev_size) {
      *error = "size exceeds the " + std::to_string(dev_size) + " bytes of '" + cfg.path + "'";
      return nullptr;
    }
    b->size_ = cfg.size ? cfg.size : dev_size;
    b->physical_ = clamp_physical(pbs, cfg.block_size);
    b->can_deallocate_ = cfg.thin && !cfg.read_only && block_device_can_discard(st.st_rdev);
  } else {
    uint64_t cur = uint64_t(st.st_size);
    if (cfg.size > cur) {
      if (cfg.read_only) {
        *error = "backing file '" + cfg.path + "' is smaller than 'size' and read_only";
        return nullptr;
      }
      // Grows sparsely: new blocks read as zeros and take no space.
      if (ftruncate(b->fd_, off_t(cfg.size)) != 0) {
        *error = "cannot resize backing file '" + cfg.path + "': " + errstr(errno);
        return nullptr;
      }
      cur = cfg.size;
    }
    b->size_ = cfg.size ? cfg.size : cur;
    b->physical_ = clamp_physical(uint64_t(st.st_blksize), cfg.block_size);
    if (cfg.thin && !cfg.read_only) {
      // Probe hole punching past the end of the file, where it changes nothing.
      uint64_t probe = (cur + 65535) / 65536 * 65536;
      b->can_deallocate_ =
          fallocate(b->fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off_t(probe), 4096) == 0;
    }
  }
  if (b->size_ < cfg.block_size) {
    *error = "backing file '" + cfg.path + "' is smaller than one block; set 'size'";
    return nullptr;
  }
  if (cfg.direct) {
    b->direct_fd_ = ::open(path, (cfg.read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_DIRECT);
    if (b->direct_fd_ < 0 && host)
      logf(host, LogLevel::warn, "'%s': O_DIRECT unavailable (%s); using buffered I/O", path,
           std::strerror(errno));
    b->direct_align_ = std::max<uint32_t>(512, cfg.block_size);
  }
  return b;
}

FileBackend::~FileBackend() {
  if (direct_fd_ >= 0) ::close(direct_fd_);
  if (fd_ >= 0) ::close(fd_);
}

int FileBackend::pick_fd(const IoRequest* req) const noexcept {
  if (direct_fd_ < 0 || req->kind == IoKind::flush) return fd_;
  // O_DIRECT needs aligned offsets, lengths and memory; anything else goes
  // through the page cache on the buffered descriptor.
  uint64_t a = direct_align_;
  if (req->offset % a) return fd_;
  for (int i = 0; i < req->iovcnt; ++i)
    if (reinterpret_cast<uintptr_t>(req->iov[i].iov_base) % a || req->iov[i].iov_len % a)
      return fd_;
  return direct_fd_;
}

void FileBackend::submit(IoRequest* req) noexcept {
  if (req->kind != IoKind::flush && req->length == 0) return req->cb->io_done(0);
  if (use_uring_) {
    IReactor* reactor = host_ ? host_->current_reactor() : nullptr;
    if (UringEngine* e = UringEngine::for_current_thread(reactor, host_)) {
      int rw_flags = (req->kind == IoKind::write && req->sync) ? RWF_DSYNC : 0;
      if (e->submit(pick_fd(req), req, rw_flags, this)) return;
    }
  }
  finish_sync(req, 0);
}

void FileBackend::on_cqe(IoRequest* req, int32_t res) noexcept {
  if (req->kind == IoKind::flush) return req->cb->io_done(res < 0 ? res : 0);
  // EINVAL from O_DIRECT (alignment the kernel dislikes), EAGAIN and EINTR:
  // redo it synchronously on the buffered descriptor.
  if (res == -EINVAL || res == -EAGAIN || res == -EINTR) return finish_sync(req, 0);
  if (res < 0) return req->cb->io_done(res);
  if (uint64_t(res) >= req->length) return req->cb->io_done(res);
  finish_sync(req, uint64_t(res));  // short transfer
}

void FileBackend::finish_sync(IoRequest* req, uint64_t done) noexcept {
  if (req->kind == IoKind::flush) {
    int r = fdatasync(fd_);
    return req->cb->io_done(r < 0 ? -errno : 0);
  }
  int fd = pick_fd(req);
  std::vector<iovec> v;
  try {
    while (done < req->length) {
      advance_iov(req->iov, req->iovcnt, done, &v);
      ssize_t r = req->kind == IoKind::read
                      ? preadv2(fd, v.data(), int(v.size()), off_t(req->offset + done), 0)
                      : pwritev2(fd, v.data(), int(v.size()), off_t(req->offset + done),
                                 req->sync ? RWF_DSYNC : 0);
      if (r < 0) {
        if (errno == EINTR) continue;
        if (errno == EINVAL && fd == direct_fd_) {
          fd = fd_;
          continue;
        }
        return req->cb->io_done(-errno);
      }
      if (r == 0) {
        if (req->kind == IoKind::write) return req->cb->io_done(-EIO);
        // Past the end of a file: reads as zeros, like a sparse tail.
        for (const iovec& x : v) std::memset(x.iov_base, 0, x.iov_len);
        done = req->length;
        break;
      }
      done += uint64_t(r);
    }
  } catch (...) {
    return req->cb->io_done(-ENOMEM);
  }
  req->cb->io_done(int64_t(req->length));
}

int FileBackend::deallocate(uint64_t offset, uint64_t length) noexcept {
  if (!can_deallocate_) return -EOPNOTSUPP;
  if (length == 0) return 0;
  if (block_device_) {
    uint64_t range[2] = {offset, length};
    return ioctl(fd_, BLKDISCARD, range) == 0 ? 0 : -errno;
  }
  return fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off_t(offset), off_t(length)) ==
                 0
             ? 0
             : -errno;
}

int FileBackend::flush_now() noexcept { return fdatasync(fd_) == 0 ? 0 : -errno; }

int FileBackend::extent_status(uint64_t offset, uint64_t limit, bool* mapped,
                               uint64_t* end) noexcept {
  *mapped = true;
  *end = limit;
  if (block_device_) return 0;  // no mapping information: all mapped
  off_t d = lseek(fd_, off_t(offset), SEEK_DATA);
  if (d < 0) {
    if (errno == ENXIO) {  // no data from offset to EOF
      *mapped = false;
      return 0;
    }
    return errno == EINVAL || errno == EOPNOTSUPP ? 0 : -errno;
  }
  if (uint64_t(d) > offset) {
    *mapped = false;
    *end = std::min<uint64_t>(uint64_t(d), limit);
    return 0;
  }
  off_t h = lseek(fd_, off_t(offset), SEEK_HOLE);
  if (h < 0) return -errno;
  *end = std::min<uint64_t>(uint64_t(h), limit);
  return 0;
}

void FileBackend::prefetch(uint64_t offset, uint64_t length) noexcept {
  posix_fadvise(fd_, off_t(offset), off_t(length), POSIX_FADV_WILLNEED);
}

}  // namespace nexus::disk
