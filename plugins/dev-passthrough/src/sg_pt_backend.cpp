#include "sg_pt_backend.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <scsi/sg.h>
#include <scsi/sg_pt.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <vector>

namespace nexus::passthrough {
namespace {

// Linux host byte values (include/scsi/scsi_status.h) that mean the target
// or LU is no longer reachable.
constexpr int kDidNoConnect = 0x01;
constexpr int kDidTimeOut = 0x03;
constexpr int kDidBadTarget = 0x04;

void classify_errno(int err, BackendResult* r) noexcept {
  r->os_err = err;
  switch (err) {
    case ENODEV:
    case ENXIO:
    case EBADF:  // closed under us by a detach
      r->transport = Transport::no_device;
      break;
    case EAGAIN:
    case ENOMEM:
    case EBUSY:
      r->transport = Transport::busy;
      break;
    default:
      r->transport = Transport::os_error;
      break;
  }
}

struct PtObject {
  sg_pt_base* p = construct_scsi_pt_obj();
  ~PtObject() {
    if (p) destruct_scsi_pt_obj(p);
  }
};

}  // namespace

SgPtBackend::~SgPtBackend() { close(); }

bool SgPtBackend::open(const std::string& sg_path, bool exclusive, std::string* error) {
  std::unique_lock lock(mu_);
  if (fd_ >= 0) scsi_pt_close_device(fd_);
  fd_ = -1;
  // O_NONBLOCK: an O_EXCL open fails with EBUSY at once instead of waiting
  // for the other sg user to close; SG_IO itself still blocks.
  int flags = O_RDWR | O_NONBLOCK | (exclusive ? O_EXCL : 0);
  int fd = scsi_pt_open_flags(sg_path.c_str(), flags, 0);
  if (fd < 0) {
    int err = -fd;
    *error = sg_path + ": " + std::strerror(err);
    if (err == EBUSY && exclusive) *error += " (another program holds it open exclusively)";
    return false;
  }
  fd_ = fd;
  return true;
}

void SgPtBackend::close() {
  std::unique_lock lock(mu_);
  if (fd_ >= 0) scsi_pt_close_device(fd_);
  fd_ = -1;
}

BackendResult SgPtBackend::execute(const BackendRequest& req) {
  BackendResult r;
  std::shared_lock lock(mu_);
  if (fd_ < 0) {
    classify_errno(ENODEV, &r);
    return r;
  }
  PtObject obj;
  if (!obj.p) {
    classify_errno(ENOMEM, &r);
    return r;
  }
  // sg_pt takes one flat buffer: use the command's own segment when there is
  // one, otherwise bounce through a contiguous copy.
  uint8_t* buf = nullptr;
  std::vector<uint8_t> bounce;
  uint32_t len = req.direction == DataDir::none ? 0 : req.length;
  if (len > 0) {
    if (!req.iov.empty() && req.iov[0].len >= len) {
      buf = req.iov[0].base;
    } else {
      bounce.resize(len);
      buf = bounce.data();
      if (req.direction == DataDir::write) {
        uint64_t done = 0;
        for (const IoVec& v : req.iov) {
          uint64_t k = std::min<uint64_t>(v.len, len - done);
          std::memcpy(buf + done, v.base, k);
          done += k;
          if (done == len) break;
        }
      }
    }
  }
  set_scsi_pt_cdb(obj.p, req.cdb.data(), int(req.cdb.size()));
  set_scsi_pt_sense(obj.p, r.sense.data(), int(r.sense.size()));
  if (len > 0 && req.direction == DataDir::read) set_scsi_pt_data_in(obj.p, buf, int(len));
  if (len > 0 && req.direction == DataDir::write) set_scsi_pt_data_out(obj.p, buf, int(len));
  int rc = do_scsi_pt(obj.p, fd_, int(std::max<uint32_t>(req.timeout_s, 1)), 0);
  if (rc < 0) {
    classify_errno(-rc, &r);
    return r;
  }
  if (rc == SCSI_PT_DO_TIMEOUT) {
    r.transport = Transport::timeout;
    return r;
  }
  if (rc != 0) {
    classify_errno(EINVAL, &r);
    return r;
  }
  switch (get_scsi_pt_result_category(obj.p)) {
    case SCSI_PT_RESULT_OS_ERR:
      classify_errno(get_scsi_pt_os_err(obj.p), &r);
      return r;
    case SCSI_PT_RESULT_TRANSPORT_ERR: {
      int host = get_scsi_pt_transport_err(obj.p) & 0xFF;
      r.host_status = host;
      r.transport = host == kDidNoConnect || host == kDidBadTarget ? Transport::no_device
                    : host == kDidTimeOut                          ? Transport::timeout
                                                                   : Transport::error;
      return r;
    }
    default:
      break;
  }
  r.status = uint8_t(get_scsi_pt_status_response(obj.p));
  r.sense_len = uint8_t(std::clamp(get_scsi_pt_sense_len(obj.p), 0, int(r.sense.size())));
  r.resid = std::clamp<int32_t>(get_scsi_pt_resid(obj.p), 0, int32_t(len));
  if (!bounce.empty() && req.direction == DataDir::read) {
    uint64_t have = len - uint32_t(r.resid), done = 0;
    for (const IoVec& v : req.iov) {
      if (done >= have) break;
      uint64_t k = std::min<uint64_t>(v.len, have - done);
      std::memcpy(v.base, buf + done, k);
      done += k;
    }
  }
  return r;
}

bool SgPtBackend::reset_device(std::string* error) {
  std::shared_lock lock(mu_);
  if (fd_ < 0) {
    *error = "device not open";
    return false;
  }
  int what = SG_SCSI_RESET_DEVICE;
  if (::ioctl(fd_, SG_SCSI_RESET, &what) != 0) {
    *error = std::string("SG_SCSI_RESET: ") + std::strerror(errno);
    return false;
  }
  return true;
}

uint32_t SgPtBackend::max_transfer_bytes() {
  std::shared_lock lock(mu_);
  if (fd_ < 0) return 0;
  // The sg driver answers BLKSECTGET with the request queue's max_sectors in
  // bytes: what one SG_IO may carry on this host path.
  int bytes = 0;
  if (::ioctl(fd_, BLKSECTGET, &bytes) == 0 && bytes > 0) return uint32_t(bytes);
  return 0;
}

BackendFactory SgPtBackend::factory() {
  return [] { return std::make_unique<SgPtBackend>(); };
}

}  // namespace nexus::passthrough
