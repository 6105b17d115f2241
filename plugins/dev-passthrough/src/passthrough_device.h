// The "passthrough" device handler: a new SCSI device, with its own I_T
// nexuses, whose data path is forwarded to a real SCSI device through an sg
// node. The core emulates everything that depends on the nexus (INQUIRY from
// the identity read here, REPORT LUNS, REQUEST SENSE, reservations, RSOC,
// TMF, Unit Attention queues); this handler forwards the rest (its opcode
// rows come from opcode_catalog), fans the device's Unit Attentions out to
// every nexus, and survives the device going away and coming back.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "device_identity.h"
#include "nexus/device.h"
#include "pt_options.h"
#include "scsi_backend.h"
#include "worker_pool.h"

namespace nexus::passthrough {

class PassthroughDevice final : public IDevice {
 public:
  PassthroughDevice(IDeviceHost* host, const PassthroughOptions& opts,
                    std::unique_ptr<ScsiBackend> backend, PathResolver resolve);
  ~PassthroughDevice();

  // Opens the device and reads its identity, VPD pages and medium
  // parameters, then starts the workers. False with *error (nothing runs).
  bool open(std::string* error);

  // IDevice
  Status info(DeviceInfo* out) noexcept override;
  uint32_t opcodes(const OpcodeInfo** rows) noexcept override;
  void execute(IDeviceCommand* cmd) noexcept override;
  bool data_length(ConstByteSpan cdb, uint32_t* bytes, SenseInfo* sense) noexcept override;
  Status vpd_page(uint8_t page, ByteSpan out, uint32_t* len) noexcept override;
  // The device owns its mode pages: MODE SENSE/SELECT are forwarded
  // (DeviceInfoFlags::passthrough), so the core's mode framework is unused.
  uint32_t mode_pages(const ModePageId** ids) noexcept override;
  Status mode_page(ModePageId, ModePageControl, ByteSpan, uint32_t*) noexcept override;
  Status mode_select_page(ModePageId, ConstByteSpan, SenseInfo*) noexcept override;
  Status block_descriptor(BlockDescriptor* out) noexcept override;
  Status set_block_descriptor(const BlockDescriptor*, SenseInfo*) noexcept override;
  void abort(IDeviceCommand* cmd) noexcept override;
  void reset(ResetKind kind) noexcept override;
  void destroy() noexcept override;
  void nexus_lost(uint64_t nexus_id) noexcept override;

  // One re-attach attempt of a detached device (the control thread makes one
  // every reattach_interval). True when the device is attached afterwards.
  bool try_reattach() noexcept;
  bool detached() const noexcept { return detached_.load(); }
  // Block length in force on a tape drive (0 = variable-block mode).
  uint32_t tape_block_length() const noexcept { return tape_block_len_.load(); }
  uint32_t max_transfer() const noexcept { return max_transfer_.load(); }
  uint32_t workers() const noexcept { return pool_ ? pool_->size() : 0; }
  const RemoteIdentity& identity() const noexcept { return ident_; }

 private:
  using VpdCache = std::map<uint8_t, std::vector<uint8_t>>;

  // --- passthrough_device.cpp: attach, identity, cached state ---
  // Resolves `path`, opens it and reads identity + VPD cache.
  bool attach(RemoteIdentity* id, VpdCache* cache, std::string* error);
  // A command of Nexus's own. Unit Attentions the device reports to it are
  // consumed (retrying) and, with fan_out, queued for every nexus.
  // `except`: the nexus whose own command caused what the device now reports
  // (a MODE SELECT's MODE PARAMETERS CHANGED): it is not told again.
  static constexpr uint64_t kNoNexus = UINT64_MAX;
  BackendResult internal(std::span<const uint8_t> cdb, uint8_t* buf, uint32_t len, bool fan_out,
                         uint64_t except = kNoNexus);
  // TEST UNIT READY until the device stops reporting Unit Attentions.
  void drain_unit_attentions(bool fan_out);
  // Re-reads what can change under us: tape block length (MODE SENSE block
  // descriptor), disk/CD capacity and block length (READ CAPACITY).
  void refresh_medium_state(bool fan_out, uint64_t except = kNoNexus);
  // Re-reads the Control mode page's D_SENSE (DeviceInfoFlags::descriptor_sense).
  void refresh_control_page(bool fan_out, uint64_t except = kNoNexus);
  void compute_max_transfer();
  void publish_identity();
  void detach(const char* why) noexcept;
  void control_loop();

  // --- passthrough_execute.cpp: the forwarded data path ---
  const OpcodeInfo* find_row(std::span<const uint8_t> cdb) const noexcept;
  void run(IDeviceCommand* cmd) noexcept;
  void finish(IDeviceCommand* cmd, DataDir dir, uint32_t len, const BackendResult& r);
  void after_success(IDeviceCommand* cmd, uint32_t transferred);
  void on_device_unit_attention(uint64_t nexus, uint8_t asc, uint8_t ascq);
  uint32_t timeout_s(std::span<const uint8_t> cdb) const noexcept;
  // PREVENT ALLOW MEDIUM REMOVAL is per I_T nexus (SPC-4 6.13) but the device
  // sees one nexus: true when this command was answered without the device.
  // Under prevent_mu_: answers a PREVENT/ALLOW that needs no device command.
  bool prevent_allow_locally(IDeviceCommand* cmd, bool prevent);
  // Under prevent_mu_: sends PREVENT or ALLOW so the device matches the set.
  void sync_device_prevention();
  // After an LU reset (device reset or not): preventions from before it end.
  void settle_prevention_after_reset(bool device_was_reset, uint64_t epoch);

  IDeviceHost* const host_;
  const PassthroughOptions opts_;
  const std::unique_ptr<ScsiBackend> backend_;
  const PathResolver resolve_;
  std::string name_;     // the device name from the configuration
  std::string sg_path_;  // resolved node in use (control thread / open only)

  RemoteIdentity ident_;  // fixed after open(): a re-attach must match it
  DeviceInfo base_info_{};
  std::span<const OpcodeInfo> rows_;

  std::atomic<bool> detached_{false};
  std::atomic<uint32_t> block_size_{0};
  std::atomic<uint64_t> num_blocks_{0};
  std::atomic<uint32_t> tape_block_len_{0};
  std::atomic<bool> d_sense_{false};  // the device's Control page D_SENSE
  std::atomic<uint32_t> max_transfer_{512u << 10};

  mutable std::mutex vpd_mu_;  // guards vpd_ (swapped on re-attach)
  std::shared_ptr<const VpdCache> vpd_;

  std::unique_ptr<WorkerPool> pool_;

  // PREVENT ALLOW MEDIUM REMOVAL per I_T nexus over one device (SPC-4 6.13).
  // prevent_mu_ is held across each decision and the PREVENT/ALLOW it sends,
  // and only worker or control threads take it (never a reactor), so the
  // set and what the device was told cannot drift apart.
  std::mutex prevent_mu_;
  std::map<uint64_t, uint64_t> preventers_;  // nexus -> reset epoch of its PREVENT
  bool device_prevented_ = false;            // the device last accepted a PREVENT
  std::atomic<uint64_t> reset_epoch_{0};     // bumped by each LU reset

  // Control thread: re-attach attempts and LU resets.
  std::mutex ctl_mu_;
  std::condition_variable ctl_cv_;
  bool stop_ = false;
  bool reset_requested_ = false;
  std::mutex reattach_mu_;     // one attempt at a time
  std::string last_mismatch_;  // logged once per different device found
  std::thread ctl_;
};

// SCSI bytes used by the handler.
namespace op {
inline constexpr uint8_t kTestUnitReady = 0x00;
inline constexpr uint8_t kFormatUnit = 0x04;
inline constexpr uint8_t kRead6 = 0x08;
inline constexpr uint8_t kWrite6 = 0x0A;
inline constexpr uint8_t kReadReverse6 = 0x0F;
inline constexpr uint8_t kInquiry = 0x12;
inline constexpr uint8_t kVerify6 = 0x13;
inline constexpr uint8_t kRecoverBufferedData = 0x14;
inline constexpr uint8_t kModeSelect6 = 0x15;
inline constexpr uint8_t kModeSense6 = 0x1A;
inline constexpr uint8_t kStartStopLoadUnload = 0x1B;
inline constexpr uint8_t kPreventAllow = 0x1E;
inline constexpr uint8_t kReadCapacity10 = 0x25;
inline constexpr uint8_t kLogSelect = 0x4C;
inline constexpr uint8_t kModeSelect10 = 0x55;
inline constexpr uint8_t kRead16 = 0x88;
inline constexpr uint8_t kWrite16 = 0x8A;
inline constexpr uint8_t kVerify16 = 0x8F;
inline constexpr uint8_t kServiceActionIn16 = 0x9E;
inline constexpr uint8_t kSaReadCapacity16 = 0x10;
}  // namespace op

}  // namespace nexus::passthrough
