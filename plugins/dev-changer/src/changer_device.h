// The SMC-3 medium changer ("changer" handler): one library state shared by
// every I_T nexus, guarded by one mutex. Drives are other devices of the
// same server (dev-tape LUNs), found by name through IDeviceHost::peer_device
// on first use and driven through their IRemovableMedium: a cartridge moved
// into a drive is load()ed there (the drive raises its own Unit Attention),
// and one is taken out only after the initiator unloaded it (LOAD UNLOAD) -
// SMC-3 leaves ejecting to the drive.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "changer_options.h"
#include "element_map.h"
#include "element_status.h"
#include "nexus/device.h"
#include "nexus/handler.hpp"

namespace nexus::changer {

class ChangerDevice final : public IDevice {
 public:
  // `map` already holds the startup placement. `state_path` empty = do not
  // persist (check-config).
  ChangerDevice(IDeviceHost* host, ChangerOptions opts, ElementMap map, std::string state_path);
  ~ChangerDevice();

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

  // Loads the cartridges the map puts in drives into drives that are empty
  // (after a restart). Runs once all drives resolve; cheap afterwards.
  void restore_drives() noexcept;
  // Posts restore_drives() to a reactor so drives get their media back
  // without waiting for the first changer command. Safe if the device is
  // destroyed before the callback runs.
  void schedule_restore() noexcept;
  // Writes the state file now (after startup from the YAML).
  void save_state() noexcept;

  // Inspection (tests, logs).
  std::vector<Placement> placements();
  bool removal_prevented();

 private:
  struct Drive {
    std::string name;
    IDevice* device = nullptr;
    IRemovableMedium* medium = nullptr;
    bool warned = false;
  };
  // A cartridge going from one element to another in one command.
  struct Step {
    uint16_t from;
    uint16_t to;
    size_t cartridge;
  };
  struct RestoreToken;

  // All under mu_.
  IRemovableMedium* resolve(uint32_t drive) noexcept;
  DriveView drive_view(uint32_t drive) noexcept;
  bool run_steps(const std::vector<Step>& steps, SenseInfo* sense) noexcept;
  void restore_locked() noexcept;
  void persist() noexcept;

  void read_element_status(IDeviceCommand* cmd) noexcept;
  void move_medium(IDeviceCommand* cmd) noexcept;
  void exchange_medium(IDeviceCommand* cmd) noexcept;
  void initialize_element_status(IDeviceCommand* cmd, bool with_range) noexcept;
  void position_to_element(IDeviceCommand* cmd) noexcept;
  void prevent_allow(IDeviceCommand* cmd) noexcept;
  size_t build_page(uint8_t page, ModePageControl pc, uint8_t* p) noexcept;

  IDeviceHost* host_;
  ChangerOptions opts_;
  DeviceIdentity identity_;
  std::string state_path_;
  std::string digest_;
  std::mutex mu_;
  ElementMap map_;
  std::vector<Drive> drives_;
  std::set<uint64_t> preventers_;  // nexuses with PREVENT ALLOW MEDIUM REMOVAL in effect
  bool restored_ = false;
  std::shared_ptr<RestoreToken> token_;
};

void fail(IDeviceCommand* cmd, const SenseInfo& s) noexcept;

}  // namespace nexus::changer
