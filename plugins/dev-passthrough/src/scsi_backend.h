// The path to the real device: one SCSI command in, status + sense + residual
// out. SgPtBackend sends it with SG_IO through libsgutils2's sg_pt; unit tests
// inject a fake with recorded responses through a BackendFactory.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "nexus/abi.h"
#include "nexus/scsi.h"

namespace nexus::passthrough {

// How far a command got, seen from the host side of the device.
enum class Transport : uint8_t {
  ok = 0,             // the device answered: status/sense/resid are valid
  timeout = 1,        // no answer within the timeout (the command may have run)
  error = 2,          // host adapter / transport error (DID_*), may be retried
  no_device = 3,      // the device is gone (ENODEV, ENXIO, DID_NO_CONNECT)
  busy = 4,           // not sent: out of kernel resources (EAGAIN, ENOMEM)
  os_error = 5,       // any other errno from the sg driver
};

struct BackendRequest {
  std::span<const uint8_t> cdb;
  DataDir direction = DataDir::none;
  std::span<const IoVec> iov;  // data buffer segments (Data-In or Data-Out)
  uint32_t length = 0;         // bytes of iov to transfer
  uint32_t timeout_s = 60;
};

struct BackendResult {
  Transport transport = Transport::ok;
  int os_err = 0;       // errno for no_device/busy/os_error
  int host_status = 0;  // Linux DID_* for Transport::error/no_device
  uint8_t status = 0;   // SAM-5 status byte when transport == ok
  uint8_t sense_len = 0;
  std::array<uint8_t, 252> sense{};  // SPC-4 4.5.1: at most 252 bytes
  int32_t resid = 0;    // bytes requested but not transferred

  std::span<const uint8_t> sense_bytes() const noexcept { return {sense.data(), sense_len}; }
  // The command reached the device and ended GOOD.
  bool good() const noexcept {
    return transport == Transport::ok && status == uint8_t(ScsiStatus::good);
  }
};

class ScsiBackend {
 public:
  virtual ~ScsiBackend() = default;
  // Opens the sg node (O_EXCL when `exclusive`). False with *error filled.
  virtual bool open(const std::string& sg_path, bool exclusive, std::string* error) = 0;
  virtual void close() = 0;
  // Runs one command to completion (blocks). Thread-safe: several workers may
  // call it at once, also while another thread closes/reopens.
  virtual BackendResult execute(const BackendRequest& req) = 0;
  // SG_SCSI_RESET with SG_SCSI_RESET_DEVICE (LU reset). False with *error.
  virtual bool reset_device(std::string* error) = 0;
  // Largest transfer the host path accepts in one command (0 = unknown).
  virtual uint32_t max_transfer_bytes() = 0;
};

using BackendFactory = std::function<std::unique_ptr<ScsiBackend>()>;

// Resolves the configured `path` into the sg node to open; false with *error.
using PathResolver =
    std::function<bool(const std::string& path, std::string* sg_path, std::string* error)>;

}  // namespace nexus::passthrough
