// The SSC-3 sequential-access device ("tape" handler): one drive, its
// optional cartridge (a TapeMedia file), and the drive state every I_T nexus
// shares - position, block length, density, compression, medium removal
// prevention. Tape motion commands are serialized by the core
// (OpcodeFlags::serialize_lu) and run under mu_ as well, because load/unload
// from a changer and MODE SELECT may come from other reactors.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "nexus/device.h"
#include "nexus/handler.hpp"
#include "tape_media.h"
#include "tape_options.h"

namespace nexus::tape {

// What a command produced; the handler completes it after dropping its lock
// (completion may run the next queued command of the LU inline).
struct Outcome {
  ScsiStatus status = ScsiStatus::good;
  SenseInfo sense{};
  bool has_sense = false;
  bool set_transfer = false;
  uint32_t transfer = 0;

  static Outcome good() noexcept { return Outcome{}; }
  static Outcome check(const SenseInfo& s) noexcept {
    Outcome o;
    o.status = ScsiStatus::check_condition;
    o.sense = s;
    o.has_sense = true;
    return o;
  }
  Outcome& bytes(uint32_t n) noexcept {
    set_transfer = true;
    transfer = n;
    return *this;
  }
};

class TapeDevice final : public IDevice, public IRemovableMedium {
 public:
  TapeDevice(IDeviceHost* host, const TapeOptions& opts);
  ~TapeDevice();

  // Puts a cartridge in the drive at start-up, without a Unit Attention
  // (the core's power-on UA already tells every initiator).
  bool load_at_start(const std::string& path, bool write_protect, std::string* error);

  // IDevice
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
  void nexus_lost(uint64_t nexus_id) noexcept override;
  void destroy() noexcept override;
  IRemovableMedium* removable_medium() noexcept override { return this; }

  // IRemovableMedium
  Status load(Str path, bool write_protect) noexcept override;
  Status unload(bool force) noexcept override;
  MediumState state() const noexcept override { return state_.load(); }
  Str medium_path() const noexcept override;
  bool removal_prevented() const noexcept override;

  // Largest data buffer of one READ(6)/WRITE(6).
  static constexpr uint64_t kMaxTransferBytes = 32u << 20;

 private:
  Outcome run(IDeviceCommand* cmd) noexcept;
  // Commands (tape_commands.cpp); called with mu_ held.
  Outcome read6(IDeviceCommand* cmd);
  Outcome write6(IDeviceCommand* cmd);
  Outcome write_filemarks(IDeviceCommand* cmd);
  Outcome space(IDeviceCommand* cmd);
  Outcome locate(IDeviceCommand* cmd);
  Outcome rewind(IDeviceCommand* cmd);
  Outcome erase(IDeviceCommand* cmd);
  Outcome read_position(IDeviceCommand* cmd);
  Outcome load_unload(IDeviceCommand* cmd);
  Outcome prevent_allow(IDeviceCommand* cmd);
  // tape_pages.cpp
  Outcome read_block_limits(IDeviceCommand* cmd);
  Outcome report_density(IDeviceCommand* cmd);
  size_t build_compression_page(ModePageControl pc, uint8_t* p) const noexcept;
  size_t build_config_page(ModePageControl pc, uint8_t* p) const noexcept;
  size_t build_partition_page(ModePageControl pc, uint8_t* p) const noexcept;

  bool loaded() const noexcept { return media_ && state_ == MediumState::loaded; }
  // Flushes appended records; false (and logged) on I/O errors.
  bool sync_media() noexcept;
  // Recomputes the lock-free flags info() reports.
  void publish() noexcept;
  Outcome media_error(int err, bool write, uint64_t residue, bool residue_valid);

  IDeviceHost* host_;
  const TapeOptions opts_;
  const DeviceIdentity identity_;  // serial: derived from the name unless configured

  mutable std::mutex mu_;
  std::unique_ptr<TapeMedia> media_;
  std::string path_;
  bool write_protect_ = false;
  uint64_t pos_ = 0;  // logical object identifier of the next object
  std::set<uint64_t> prevent_;  // I_T nexuses holding PREVENT MEDIUM REMOVAL

  // Drive parameters, also read by MODE SENSE and data_length() outside mu_.
  std::atomic<MediumState> state_{MediumState::empty};
  std::atomic<uint32_t> flags_{DeviceInfoFlags::removable};
  std::atomic<uint32_t> block_size_;
  std::atomic<uint8_t> density_;
  std::atomic<bool> dce_{false};
  std::atomic<uint64_t> capacity_{0};
};

// Sense data of the SSC conditions (SSC-3 4.2.x). INFORMATION carries the
// residue; negative residues (overlength blocks) are 32-bit two's complement
// as in fixed-format sense data.
namespace tsense {
SenseInfo filemark(uint64_t residue) noexcept;        // NO SENSE, FILEMARK, 00h/01h
SenseInfo end_of_data(uint64_t residue) noexcept;     // BLANK CHECK, 00h/05h
SenseInfo beginning(uint64_t residue) noexcept;       // NO SENSE, EOM, 00h/04h
SenseInfo early_warning(uint64_t residue) noexcept;   // NO SENSE, EOM, 00h/02h
SenseInfo volume_overflow(uint64_t residue) noexcept;  // VOLUME OVERFLOW, EOM, 00h/02h
SenseInfo incorrect_length(int64_t residue) noexcept;  // NO SENSE, ILI, 00h/00h
SenseInfo removal_prevented() noexcept;               // ILLEGAL REQUEST, 53h/02h
}  // namespace tsense

// Scatter list of bytes [offset, offset + len) of the command's buffer.
std::vector<iovec> cmd_slice(IDeviceCommand* cmd, uint64_t offset, uint64_t len);

}  // namespace nexus::tape
