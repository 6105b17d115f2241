// LoadGenerator: N libiscsi sessions x Q outstanding READ(16)/WRITE(16)
// commands, driven by one poll() loop over the sessions' sockets
// (iscsi_which_events / iscsi_service). Each completion immediately issues
// the slot's next command, so the queue depth stays at Q per session.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench_options.h"
#include "iscsi_session.h"
#include "run_result.h"
#include "target_probe.h"

struct iscsi_context;

namespace nexus::bench {

class LoadGenerator {
 public:
  explicit LoadGenerator(const BenchOptions& options);
  ~LoadGenerator();

  // Logs in every session and checks the geometry. Error text or empty.
  std::string setup();
  // Warm-up, measured window, drain. Fills result; returns an error text
  // when the run could not complete (lost connection, stuck commands).
  std::string run(TargetProbe& probe, RunResult& result);

 private:
  struct Slot {
    LoadGenerator* gen;
    int session;
    uint64_t started_ns;
    bool busy;
    bool is_read;
  };
  static void on_complete(iscsi_context* ctx, int status, void* command_data, void* private_data);
  void complete(Slot& slot, int status, void* task);
  bool submit(Slot& slot);
  uint64_t next_lba(int session);
  uint64_t next_random();

  const BenchOptions& opt_;
  std::vector<IscsiSession> sessions_;
  std::vector<Slot> slots_;
  std::vector<uint64_t> seq_cursor_;  // per session, in I/O units
  LunGeometry geometry_;
  uint64_t span_ios_ = 0;  // addressable I/O-sized units
  uint32_t blocks_per_io_ = 0;
  std::unique_ptr<unsigned char[]> read_buf_;
  std::unique_ptr<unsigned char[]> write_buf_;
  uint64_t rng_;
  int outstanding_ = 0;
  bool submitting_ = false;
  bool measuring_ = false;
  RunResult* result_ = nullptr;
  uint64_t all_completions_ = 0;
};

}  // namespace nexus::bench
