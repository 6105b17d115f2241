// The MMC-6 read-only CD/DVD-ROM drive ("cdrom" handler): one instance per
// configured device. The disc is an ISO image; it can be ejected and
// reloaded by the initiator (START STOP UNIT) and swapped at run time by a
// medium changer or the management API (IRemovableMedium).
//
// Medium model (MediumState):
//   loaded   - tray closed, image open and readable;
//   unloaded - the initiator ejected it: tray open, the image "on the tray"
//              (closing the tray re-opens the same path);
//   empty    - no disc at all (tray closed unless it was left open).
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "cdrom_options.h"
#include "disc_image.h"
#include "disc_layout.h"
#include "medium_events.h"
#include "nexus/device.h"
#include "nexus/handler.hpp"
#include "nexus/sense.hpp"

namespace nexus::cdrom {

class CdromDevice final : public IDevice, public IRemovableMedium {
 public:
  CdromDevice(IDeviceHost* host, const CdromOptions& opts);
  ~CdromDevice();

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
  MediumState state() const noexcept override;
  Str medium_path() const noexcept override;
  bool removal_prevented() const noexcept override;

  // Loads the configured image at start (no Unit Attention: the core
  // reports POWER ON to every new nexus). False with *error on failure.
  bool load_initial(const std::string& path, std::string* error);

 private:
  // What a command sees of the medium, taken under the lock.
  struct Snapshot {
    std::shared_ptr<const DiscImage> image;  // null: no readable disc
    DiscLayout layout;
    bool tray_open = false;
    bool prevented = false;
  };
  bool prevented_locked() const { return !preventers_.empty() || persistent_prevent_; }
  // Opens `path` as the loaded disc and announces it (UA 28h/00h, NewMedia).
  Status insert_locked(const std::string& path, std::string* error);

  // Commands (one file per group).
  void read(IDeviceCommand* cmd, const Snapshot& s) noexcept;
  void read_cd(IDeviceCommand* cmd, const Snapshot& s) noexcept;
  void read_capacity(IDeviceCommand* cmd, const Snapshot& s) noexcept;
  void read_toc(IDeviceCommand* cmd, const Snapshot& s) noexcept;
  void read_disc_info(IDeviceCommand* cmd, const Snapshot& s) noexcept;
  void read_track_info(IDeviceCommand* cmd, const Snapshot& s) noexcept;
  void get_configuration(IDeviceCommand* cmd, const Snapshot& s) noexcept;
  void get_event_status(IDeviceCommand* cmd) noexcept;
  void mechanism_status(IDeviceCommand* cmd, const Snapshot& s) noexcept;
  void start_stop_unit(IDeviceCommand* cmd) noexcept;
  void prevent_allow(IDeviceCommand* cmd) noexcept;
  size_t build_capabilities_page(ModePageControl pc, uint8_t* p) const noexcept;

  IDeviceHost* host_;
  DeviceIdentity identity_;

  mutable std::mutex mu_;
  std::shared_ptr<const DiscImage> image_;  // loaded disc (tray closed)
  DiscLayout layout_;                       // of image_
  std::string path_;                        // disc in the drive or on the open tray
  bool tray_open_ = false;
  std::set<uint64_t> preventers_;  // nexuses holding PREVENT (SPC-4: any one prevents)
  bool persistent_prevent_ = false;
  MediumEvents events_;
};

// Completes cmd with CHECK CONDITION and `s`.
void fail(IDeviceCommand* cmd, const SenseInfo& s) noexcept;
// Sends min(len, data_length) bytes of `src` as Data-In and completes GOOD.
void reply(IDeviceCommand* cmd, const uint8_t* src, size_t len) noexcept;

// Sense codes of MMC-6 not in sense.hpp.
namespace mmc_sense {
inline SenseInfo tray_open() noexcept { return sense::make(SenseKey::not_ready, 0x3A, 0x02); }
inline SenseInfo removal_prevented() noexcept {
  return sense::make(SenseKey::illegal_request, 0x53, 0x02);
}
inline SenseInfo illegal_mode_for_track() noexcept {
  return sense::make(SenseKey::illegal_request, 0x64, 0x00);
}
inline SenseInfo incompatible_format() noexcept {
  return sense::make(SenseKey::illegal_request, 0x30, 0x02);
}
}  // namespace mmc_sense

}  // namespace nexus::cdrom
