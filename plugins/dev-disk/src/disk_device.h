// The SBC-3 direct-access block device ("disk" handler): one instance per
// configured device, executing the commands listed in disk_opcodes.h on a
// Backend. The core validated and ordered every command before execute().
#pragma once

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "backend.h"
#include "disk_options.h"
#include "lba_range_lock.h"
#include "nexus/device.h"
#include "nexus/handler.hpp"

namespace nexus::disk {

// Limits reported in the Block Limits VPD page (SBC-3 6.5.3) and enforced.
struct DiskLimits {
  static constexpr uint32_t kMaxTransferBytes = 8u << 20;
  static constexpr uint32_t kMaxCompareAndWriteBlocks = 255;
  static constexpr uint64_t kMaxWriteSameBytes = 1ull << 30;
  // Initiators that test 4-byte WRITE SAME lengths (libiscsi) first WRITE
  // the whole range at once, whatever MAXIMUM TRANSFER LENGTH says; below
  // 65536 blocks they expect INVALID FIELD IN CDB for such a length instead.
  static constexpr uint64_t kMaxWriteSameBlocks = 0xFFFF;
  static constexpr uint64_t kMaxUnmapBytes = 4ull << 30;
  // Initiators treat a MAXIMUM UNMAP LBA COUNT above 2^20 as implausible
  // (libiscsi's Block Limits check), so the count is capped there too.
  static constexpr uint32_t kMaxUnmapBlocks = 1u << 20;
  static constexpr uint32_t kMaxUnmapDescriptors = 256;
  // Size of the bounce buffers of VERIFY and WRITE SAME.
  static constexpr uint32_t kChunkBytes = 1u << 20;
};

class DiskDevice final : public IDevice {
 public:
  // `opts` must have been validated; `name` is the device's config name.
  DiskDevice(IDeviceHost* host, const DiskOptions& opts, std::unique_ptr<Backend> backend);
  ~DiskDevice();

  Status info(DeviceInfo* out) noexcept override;
  uint32_t opcodes(const OpcodeInfo** rows) noexcept override;
  void execute(IDeviceCommand* cmd) noexcept override;
  bool data_length(ConstByteSpan cdb, uint32_t* bytes, SenseInfo* sense) noexcept override;
  Status vpd_page(uint8_t page, ByteSpan out, uint32_t* len) noexcept override;
  uint32_t mode_pages(const ModePageId** ids) noexcept override;
  Status mode_page(ModePageId id, ModePageControl pc, ByteSpan out,
                   uint32_t* len) noexcept override;
  Status mode_select_page(ModePageId id, ConstByteSpan page, SenseInfo* sense) noexcept override;
  Status block_descriptor(BlockDescriptor* out) noexcept override;
  Status set_block_descriptor(const BlockDescriptor* in, SenseInfo* sense) noexcept override;
  void abort(IDeviceCommand* cmd) noexcept override;
  void reset(ResetKind kind) noexcept override;
  void destroy() noexcept override;

  // For the command state machines.
  IDeviceHost* host() const noexcept { return host_; }
  Backend* backend() const noexcept { return backend_.get(); }
  uint32_t block_size() const noexcept { return block_size_; }
  uint64_t num_blocks() const noexcept { return num_blocks_; }
  bool thin() const noexcept { return thin_; }
  bool read_only() const noexcept { return read_only_; }
  bool write_cache() const noexcept { return wce_.load(std::memory_order_relaxed); }
  bool started() const noexcept { return started_.load(std::memory_order_relaxed); }
  LbaRangeLock& range_lock() noexcept { return lock_; }
  uint32_t max_transfer_blocks() const noexcept {
    return DiskLimits::kMaxTransferBytes / block_size_;
  }
  uint64_t max_write_same_blocks() const noexcept {
    return std::min(DiskLimits::kMaxWriteSameBytes / block_size_, DiskLimits::kMaxWriteSameBlocks);
  }
  uint32_t max_unmap_blocks() const noexcept {
    return uint32_t(std::min<uint64_t>(DiskLimits::kMaxUnmapBytes / block_size_,
                                       DiskLimits::kMaxUnmapBlocks));
  }
  // Logical blocks per physical block, as an exponent (READ CAPACITY(16)).
  uint8_t physical_exponent() const noexcept;

 private:
  friend class DiskCommands;
  // Commands answered without backend I/O.
  void read_capacity10(IDeviceCommand* cmd) noexcept;
  void read_capacity16(IDeviceCommand* cmd) noexcept;
  void get_lba_status(IDeviceCommand* cmd) noexcept;
  void read_defect_data(IDeviceCommand* cmd) noexcept;
  void start_stop_unit(IDeviceCommand* cmd) noexcept;
  void pre_fetch(IDeviceCommand* cmd) noexcept;
  void unmap(IDeviceCommand* cmd) noexcept;
  size_t build_caching_page(ModePageControl pc, uint8_t* p) const noexcept;
  size_t build_rw_recovery_page(ModePageControl pc, uint8_t* p) const noexcept;

  IDeviceHost* host_;
  std::unique_ptr<Backend> backend_;
  std::vector<OpcodeInfo> rows_;
  uint32_t block_size_;
  uint64_t num_blocks_;
  bool thin_;
  bool read_only_;
  DeviceIdentity identity_;
  std::atomic<bool> wce_{true};   // Caching mode page WCE (SBC-3 6.4.5)
  std::atomic<bool> rcd_{false};  // Caching mode page RCD
  std::atomic<bool> started_{true};
  LbaRangeLock lock_;
};

// Completes cmd with CHECK CONDITION and `s`.
void fail(IDeviceCommand* cmd, const SenseInfo& s) noexcept;
// Gathers Data-Out from the command buffer.
uint64_t copy_from_cmd(IDeviceCommand* cmd, uint64_t offset, uint8_t* dst, uint64_t len) noexcept;

}  // namespace nexus::disk
