#include "reservations/reservation_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nexus::server::resv {
namespace {

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now and reports close()'s error (it can carry a write error).
  int close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

bool set_error(std::string* error, const std::string& what, const std::filesystem::path& p,
               int err) {
  if (error) *error = what + " " + p.string() + ": " + std::strerror(err);
  return false;
}

bool fsync_dir(const std::filesystem::path& dir, std::string* error) {
  Fd d(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.get() < 0) return set_error(error, "open directory", dir, errno);
  if (::fsync(d.get()) != 0) return set_error(error, "fsync directory", dir, errno);
  return true;
}

}  // namespace

std::filesystem::path ReservationStore::temp_path(const std::filesystem::path& file) {
  std::filesystem::path t = file;
  t += ".tmp";
  return t;
}

bool ReservationStore::save(const std::filesystem::path& file, const ReservationState& state,
                            std::string* error) {
  const std::filesystem::path dir = file.parent_path();
  if (!state.aptpl()) {
    // APTPL cleared: nothing may survive a power loss (SPC-4 5.13.4).
    if (::unlink(file.c_str()) != 0 && errno != ENOENT)
      return set_error(error, "remove", file, errno);
    return fsync_dir(dir, error);
  }
  const std::string data = state.serialize();
  const std::filesystem::path tmp = temp_path(file);
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (fd.get() < 0) return set_error(error, "create", tmp, errno);
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        int err = n < 0 ? errno : EIO;
        ::unlink(tmp.c_str());
        return set_error(error, "write", tmp, err);
      }
      done += size_t(n);
    }
    if (::fsync(fd.get()) != 0 || fd.close() != 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      return set_error(error, "fsync", tmp, err);
    }
  }
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return set_error(error, "rename to", file, err);
  }
  return fsync_dir(dir, error);
}

std::optional<ReservationState> ReservationStore::load(const std::filesystem::path& file,
                                                       std::string* error) {
  Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return ReservationState();
    set_error(error, "open", file, errno);
    return std::nullopt;
  }
  // The state is small; refuse anything absurd rather than reading it all.
  constexpr size_t kMaxFile = 4u << 20;
  std::string data;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      set_error(error, "read", file, errno);
      return std::nullopt;
    }
    if (n == 0) break;
    data.append(buf, size_t(n));
    if (data.size() > kMaxFile) {
      if (error) *error = file.string() + ": file too large";
      return std::nullopt;
    }
  }
  std::string why;
  auto st = ReservationState::deserialize(data, &why);
  if (!st && error) *error = file.string() + ": " + why;
  return st;
}

}  // namespace nexus::server::resv
