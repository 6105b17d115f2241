#include "load_generator.h"

#include <poll.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

// clang-format off
#include <cstdint>
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>
// clang-format on

namespace nexus::bench {
namespace {

uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

double process_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

std::string status_text(int status) {
  switch (status) {
    case SCSI_STATUS_CANCELLED:
      return "cancelled (connection lost)";
    case SCSI_STATUS_ERROR:
      return "transport error";
    case SCSI_STATUS_TIMEOUT:
      return "timeout";
    default:
      return "SCSI status 0x" + std::to_string(status);
  }
}

}  // namespace

LoadGenerator::LoadGenerator(const BenchOptions& options)
    : opt_(options), rng_(options.seed * 0x9E3779B97F4A7C15ull + 1) {}

LoadGenerator::~LoadGenerator() {
  // Destroying a context completes its outstanding tasks (CANCELLED) through
  // on_complete, which touches the slots: close the sessions while they live.
  submitting_ = false;
  measuring_ = false;
  sessions_.clear();
}

uint64_t LoadGenerator::next_random() {
  // xorshift64*: fast, and good enough to spread LBAs uniformly.
  rng_ ^= rng_ >> 12;
  rng_ ^= rng_ << 25;
  rng_ ^= rng_ >> 27;
  return rng_ * 0x2545F4914F6CDD1Dull;
}

uint64_t LoadGenerator::next_lba(int session) {
  uint64_t unit;
  if (opt_.pattern == AccessPattern::kRandom) {
    unit = next_random() % span_ios_;
  } else {
    unit = seq_cursor_[session];
    seq_cursor_[session] = (unit + 1) % span_ios_;
  }
  return unit * blocks_per_io_;
}

std::string LoadGenerator::setup() {
  sessions_.reserve(static_cast<size_t>(opt_.sessions));
  for (int i = 0; i < opt_.sessions; ++i) {
    // Distinct initiator names: each session is its own I_T nexus everywhere,
    // whatever ISID the library picks.
    std::string name = i == 0 ? opt_.initiator : opt_.initiator + "-" + std::to_string(i);
    IscsiSession s;
    std::string err = s.connect(opt_.url, name, opt_.lun.value_or(-1), opt_.header_digest);
    if (!err.empty()) return "session " + std::to_string(i) + ": " + err;
    sessions_.push_back(std::move(s));
  }
  if (auto err = sessions_[0].read_capacity(geometry_); !err.empty()) return err;
  if (opt_.block_size % geometry_.block_size != 0) {
    return "--bs " + std::to_string(opt_.block_size) + " is not a multiple of the LUN's " +
           std::to_string(geometry_.block_size) + "-byte blocks";
  }
  blocks_per_io_ = opt_.block_size / geometry_.block_size;
  uint64_t span_blocks = geometry_.blocks;
  if (opt_.span_bytes) {
    span_blocks = std::min<uint64_t>(span_blocks, opt_.span_bytes / geometry_.block_size);
  }
  span_ios_ = span_blocks / blocks_per_io_;
  if (span_ios_ == 0) return "the LUN (or --span) is smaller than one I/O";
  seq_cursor_.resize(sessions_.size());
  for (size_t i = 0; i < sessions_.size(); ++i) {
    seq_cursor_[i] = span_ios_ / sessions_.size() * i;  // sessions stream apart
  }
  read_buf_ = std::make_unique<unsigned char[]>(opt_.block_size);
  write_buf_ = std::make_unique<unsigned char[]>(opt_.block_size);
  std::memset(write_buf_.get(), 0xA5, opt_.block_size);
  return "";
}

bool LoadGenerator::submit(Slot& slot) {
  iscsi_context* ctx = sessions_[slot.session].context();
  const int lun = sessions_[slot.session].lun();
  const uint64_t lba = next_lba(slot.session);
  slot.is_read =
      opt_.read_percent >= 100 ||
      (opt_.read_percent > 0 && next_random() % 100 < static_cast<uint64_t>(opt_.read_percent));
  slot.started_ns = now_ns();
  scsi_task* task;
  if (slot.is_read) {
    task = iscsi_read16_task(ctx, lun, lba, opt_.block_size, static_cast<int>(geometry_.block_size),
                             0, 0, 0, 0, 0, &LoadGenerator::on_complete, &slot);
    // Data-In lands in our buffer instead of one libiscsi allocates per command.
    if (task)
      scsi_task_add_data_in_buffer(task, static_cast<int>(opt_.block_size), read_buf_.get());
  } else {
    task = iscsi_write16_task(ctx, lun, lba, write_buf_.get(), opt_.block_size,
                              static_cast<int>(geometry_.block_size), 0, 0, 0, 0, 0,
                              &LoadGenerator::on_complete, &slot);
  }
  if (!task) {
    ++result_->errors.submit;
    result_->last_error = std::string("submit: ") + iscsi_get_error(ctx);
    return false;
  }
  slot.busy = true;
  ++outstanding_;
  return true;
}

void LoadGenerator::on_complete(iscsi_context*, int status, void* command_data,
                                void* private_data) {
  auto* slot = static_cast<Slot*>(private_data);
  slot->gen->complete(*slot, status, command_data);
}

void LoadGenerator::complete(Slot& slot, int status, void* task_ptr) {
  const uint64_t done = now_ns();
  auto* task = static_cast<scsi_task*>(task_ptr);
  slot.busy = false;
  --outstanding_;
  ++all_completions_;
  if (measuring_) {
    ErrorCounts& e = result_->errors;
    switch (status) {
      case SCSI_STATUS_GOOD:
        ++result_->commands;
        result_->bytes += opt_.block_size;
        result_->latency.record(done - slot.started_ns);
        break;
      case SCSI_STATUS_TASK_SET_FULL:
        ++e.task_set_full;
        break;
      case SCSI_STATUS_BUSY:
        ++e.busy;
        break;
      case SCSI_STATUS_CHECK_CONDITION:
        ++e.check_condition;
        if (task) {
          result_->last_error = std::string("CHECK CONDITION ") +
                                scsi_sense_key_str(task->sense.key) + " " +
                                scsi_sense_ascq_str(task->sense.ascq);
        }
        break;
      case SCSI_STATUS_CANCELLED:
      case SCSI_STATUS_ERROR:
      case SCSI_STATUS_TIMEOUT:
        ++e.transport;
        result_->last_error = status_text(status);
        break;
      default:
        ++e.other_status;
        result_->last_error = status_text(status);
        break;
    }
  }
  if (task) scsi_free_scsi_task(task);
  const bool transport_failed = status == SCSI_STATUS_CANCELLED || status == SCSI_STATUS_ERROR ||
                                status == SCSI_STATUS_TIMEOUT;
  if (submitting_ && !transport_failed) submit(slot);
}

std::string LoadGenerator::run(TargetProbe& probe, RunResult& result) {
  result_ = &result;
  RunResult warm_sink;  // warm-up completions are classified here and dropped
  result_ = &warm_sink;
  slots_.clear();
  slots_.reserve(sessions_.size() * static_cast<size_t>(opt_.queue_depth));
  for (size_t s = 0; s < sessions_.size(); ++s) {
    for (int q = 0; q < opt_.queue_depth; ++q) {
      slots_.push_back(Slot{this, static_cast<int>(s), 0, false, true});
    }
  }
  std::vector<pollfd> pfds(sessions_.size());
  const uint64_t t_begin = now_ns();
  const uint64_t warm_ns = static_cast<uint64_t>(opt_.warmup_seconds * 1e9);
  const uint64_t run_ns = static_cast<uint64_t>(opt_.seconds * 1e9);
  uint64_t window_start = 0, window_end = 0;
  TargetSample probe_start;
  double cpu_start = 0;
  std::string failure;

  submitting_ = true;
  measuring_ = true;  // into warm_sink until the window opens
  for (Slot& slot : slots_) {
    if (!submit(slot)) break;
  }
  auto open_window = [&] {
    result_ = &result;
    if (std::string why = probe.start(); !why.empty()) result.probe_note = why;
    probe_start = probe.sample();
    cpu_start = process_cpu_seconds();
    window_start = now_ns();
  };
  if (warm_ns == 0) open_window();

  const uint64_t drain_limit_ns = 10'000'000'000ull;
  for (;;) {
    const uint64_t now = now_ns();
    if (window_start == 0 && now - t_begin >= warm_ns) open_window();
    if (window_start && window_end == 0 && now >= window_start + run_ns) {
      window_end = now;
      TargetSample probe_end = probe.sample();
      result.initiator_cpu_seconds = process_cpu_seconds() - cpu_start;
      if (probe.enabled()) {
        result.target_cpu_seconds = probe_end.cpu_seconds - probe_start.cpu_seconds;
        result.target_context_switches = probe_end.context_switches - probe_start.context_switches;
        result.target_peak_rss_kib = probe_end.peak_rss_kib;
        if (probe_end.allocations && probe_start.allocations) {
          result.target_allocations = *probe_end.allocations - *probe_start.allocations;
        }
        if (probe_end.syscalls && probe_start.syscalls) {
          result.target_syscalls = *probe_end.syscalls - *probe_start.syscalls;
        }
      }
      submitting_ = false;
      measuring_ = false;
    }
    if (window_end && outstanding_ == 0) break;
    if (window_end && now - window_end > drain_limit_ns) {
      failure = std::to_string(outstanding_) + " command(s) still outstanding 10 s after the run";
      break;
    }
    if (outstanding_ == 0 && submitting_) {
      failure = "no command in flight (every submission failed): " + result_->last_error;
      break;
    }
    for (size_t i = 0; i < sessions_.size(); ++i) {
      pfds[i].fd = iscsi_get_fd(sessions_[i].context());
      pfds[i].events = static_cast<short>(iscsi_which_events(sessions_[i].context()));
      pfds[i].revents = 0;
    }
    uint64_t deadline = window_start ? window_start + run_ns : t_begin + warm_ns;
    if (window_end) deadline = now + 100'000'000;
    int timeout_ms = deadline > now ? static_cast<int>((deadline - now + 999'999) / 1'000'000) : 0;
    if (timeout_ms > 100) timeout_ms = 100;
    int n = poll(pfds.data(), pfds.size(), timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      failure = std::string("poll: ") + std::strerror(errno);
      break;
    }
    for (size_t i = 0; n > 0 && i < sessions_.size(); ++i) {
      if (pfds[i].revents == 0) continue;
      if (iscsi_service(sessions_[i].context(), pfds[i].revents) < 0) {
        const char* why = iscsi_get_error(sessions_[i].context());
        failure = "session " + std::to_string(i) + ": connection lost" +
                  (why && *why ? std::string(" (") + why + ")" : std::string());
        break;
      }
    }
    if (!failure.empty()) break;
  }
  if (window_start == 0) window_start = window_end = now_ns();
  if (window_end == 0) window_end = now_ns();
  result.seconds = static_cast<double>(window_end - window_start) / 1e9;
  result.commands_total = all_completions_;
  result_ = &result;
  submitting_ = false;
  measuring_ = false;
  if (failure.empty() && result.errors.hard() > 0 && result.last_error.empty()) {
    result.last_error = "errors during the run";
  }
  return failure;
}

}  // namespace nexus::bench
