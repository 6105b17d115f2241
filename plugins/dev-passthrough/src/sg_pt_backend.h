// ScsiBackend on a Linux sg node through libsgutils2's sg_pt interface (SG_IO).
#pragma once

#include <memory>
#include <shared_mutex>
#include <string>

#include "scsi_backend.h"

namespace nexus::passthrough {

class SgPtBackend final : public ScsiBackend {
 public:
  SgPtBackend() = default;
  ~SgPtBackend() override;

  bool open(const std::string& sg_path, bool exclusive, std::string* error) override;
  void close() override;
  BackendResult execute(const BackendRequest& req) override;
  bool reset_device(std::string* error) override;
  uint32_t max_transfer_bytes() override;

  static BackendFactory factory();

 private:
  // Readers: commands in flight; writer: open/close.
  std::shared_mutex mu_;
  int fd_ = -1;
};

}  // namespace nexus::passthrough
