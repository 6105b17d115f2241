// Completion tracking for one task management function: the TMF response is
// sent only after every task it affects has been terminated (SAM-5 7.1),
// which may happen on other reactors (other nexuses of the same LU).
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include "nexus/scsi.h"

namespace nexus::server {

class Nexus;

struct TmfWait {
  std::shared_ptr<Nexus> origin;  // the nexus that asked; kept alive until the answer
  uint64_t tmf_tag = 0;
  TmfResponse response = TmfResponse::function_complete;
  std::atomic<int> pending{1};      // starts at 1: the TMF itself, dropped when set up
  std::function<void()> after_all;  // runs once everything is terminated (e.g. LU reset)

  // Called once per terminated task (any thread) and once by the issuer.
  void done_one() noexcept;
};

}  // namespace nexus::server
