// Device handlers: what a logical unit is. The core validates and orders every
// command and answers SPC itself (INQUIRY, REPORT LUNS, REQUEST SENSE, MODE
// framework, reservations, RSOC); a handler executes the commands of its
// device type and describes itself through DeviceInfo, opcode rows, VPD and
// mode pages.
#pragma once

#include "nexus/abi.h"
#include "nexus/config_node.h"
#include "nexus/opcode.h"
#include "nexus/reactor.h"
#include "nexus/scsi.h"

namespace nexus {

// A command as the device handler sees it. Owned by the core; valid until the
// handler calls complete(). All data-out bytes are in the buffer before
// execute() is called.
class IDeviceCommand {
 public:
  virtual ConstByteSpan cdb() const noexcept = 0;
  virtual uint64_t lun() const noexcept = 0;
  virtual TaskAttr task_attr() const noexcept = 0;
  // Opaque id of the I_T nexus the command came from (stable for its lifetime).
  virtual uint64_t nexus_id() const noexcept = 0;
  // Size of the data buffer: the transfer length from the CDB, clamped to the
  // transport's expected length for Data-Out and to the allocation length.
  virtual uint32_t data_length() const noexcept = 0;
  // The buffer segments (count returned, array owned by the core).
  virtual uint32_t iov(const IoVec** out) const noexcept = 0;
  // Data-In bytes actually produced (<= data_length()); defaults to data_length().
  virtual void set_transfer_length(uint32_t bytes) noexcept = 0;
  // Finishes the command; exactly once, from any thread. sense may be null
  // unless status is CHECK CONDITION.
  virtual void complete(ScsiStatus status, const SenseInfo* sense) noexcept = 0;
  // True once a task management function aborted this command; a handler may
  // check it to stop long work early, and must still call complete().
  virtual bool aborted() const noexcept = 0;

 protected:
  ~IDeviceCommand() = default;
};

struct DeviceInfoFlags {
  static constexpr uint32_t removable = 1u << 0;       // INQUIRY RMB
  static constexpr uint32_t medium_present = 1u << 1;  // else NOT READY, MEDIUM NOT PRESENT
  static constexpr uint32_t thin_provisioned = 1u << 2;
  static constexpr uint32_t write_protected = 1u << 3;  // medium is write protected (DATA PROTECT)
  static constexpr uint32_t write_cache = 1u << 4;      // WCE currently on
  static constexpr uint32_t ready = 1u << 5;            // else NOT READY, BECOMING READY / STOPPED
  static constexpr uint32_t dpofua = 1u << 6;           // disk honours DPO/FUA (MODE SENSE header)
  // ABI 1.1: the handler forwards to a real device (dev-passthrough). The core
  // then leaves TEST UNIT READY and MODE SENSE/SELECT(6/10) to the handler's
  // own rows, since only the device knows its readiness and mode pages; it
  // still emulates INQUIRY, REPORT LUNS, REQUEST SENSE, reservations, RSOC,
  // RSTMF, TMFs and Unit Attentions for every nexus, and refuses a command
  // with less Data-Out than its CDB asks for (the device would get the
  // original CDB with a short buffer). A core of ABI 1.0
  // ignores the bit and refuses such rows, hence the minor version.
  static constexpr uint32_t passthrough = 1u << 7;
  // ABI 1.1, for pass-through handlers: the real device's Control mode page
  // has D_SENSE=1 (SPC-4 7.5.8), set through a forwarded MODE SELECT the core
  // did not see, so the core reports sense for this LU in descriptor format.
  static constexpr uint32_t descriptor_sense = 1u << 8;
};

struct DeviceInfo {
  uint32_t struct_size;  // sizeof(DeviceInfo)
  PeripheralType type;
  uint8_t scsi_version;  // INQUIRY VERSION, e.g. 0x06 = SPC-4
  uint16_t reserved0;
  uint32_t flags;        // DeviceInfoFlags
  uint32_t block_size;   // logical block length in bytes (0 for non-block devices)
  uint64_t num_blocks;   // capacity in logical blocks
  // INQUIRY identity, space padded by the core if shorter; NUL-terminated.
  char vendor[9];
  char product[17];
  char revision[5];
  char reserved1[1];
  char serial[64];       // VPD 80h
  // NAA IEEE Registered designator for VPD 83h (0 = the core derives one
  // from the device name).
  uint64_t naa_id;
  uint32_t max_transfer_blocks;  // 0 = no limit beyond the core's
  uint32_t reserved2;
};

// Mode page control field of MODE SENSE (SPC-4 6.11).
enum class ModePageControl : uint8_t { current = 0, changeable = 1, defaults = 2, saved = 3 };

struct ModePageId {
  uint8_t page;
  uint8_t subpage;
};

// The mode parameter block descriptor (SPC-4 7.5.5) a device reports/accepts.
struct BlockDescriptor {
  uint32_t struct_size;
  uint8_t density;
  uint8_t reserved[3];
  uint64_t num_blocks;
  uint32_t block_length;
};

enum class ResetKind : uint8_t { lun_reset = 0, target_reset = 1, power_on = 2 };

enum class MediumState : uint8_t {
  empty = 0,     // no medium in the device
  loaded = 1,    // medium present and usable (tape threaded, disc spun up)
  unloaded = 2,  // the initiator unloaded/ejected it: present but ready for removal
};

// Devices with removable media (tape drives, CD-ROMs) expose this so a medium
// changer or the management API can move media in and out. Thread-safe:
// called from any reactor thread while commands run. Owned by the device.
class IRemovableMedium {
 public:
  // Loads the medium stored at `path` (a tape media file, an ISO image). The
  // device raises its own Unit Attention (NOT READY TO READY CHANGE, MEDIUM
  // MAY HAVE CHANGED 28h/00h) for every nexus. Status::busy if a medium is
  // already present.
  virtual Status load(Str path, bool write_protect) noexcept = 0;
  // Removes the medium. Status::busy while PREVENT ALLOW MEDIUM REMOVAL
  // prevents it (unless force), or while the medium is loaded and
  // !force (SMC-3: a changer moves only media the drive has unloaded).
  virtual Status unload(bool force) noexcept = 0;
  virtual MediumState state() const noexcept = 0;
  // Path of the medium in the device (empty if none). Valid until the next
  // load/unload.
  virtual Str medium_path() const noexcept = 0;
  // PREVENT ALLOW MEDIUM REMOVAL is in effect.
  virtual bool removal_prevented() const noexcept = 0;

 protected:
  ~IRemovableMedium() = default;
};

class IDevice {
 public:
  virtual Status info(DeviceInfo* out) noexcept = 0;
  // Opcode rows for the commands this handler executes (the core adds its own
  // SPC rows). Owned by the handler; must stay valid while the device lives.
  virtual uint32_t opcodes(const OpcodeInfo** rows) noexcept = 0;
  // Executes a validated, ordered command. May complete inline or later from
  // any thread.
  virtual void execute(IDeviceCommand* cmd) noexcept = 0;
  // For LengthUnit::device rows: the data length in bytes for this CDB.
  // Returns false with *sense filled to reject the CDB.
  virtual bool data_length(ConstByteSpan cdb, uint32_t* bytes, SenseInfo* sense) noexcept = 0;
  // Device specific VPD pages (the core owns 00h, 80h, 83h, 86h). Writes the
  // whole page (header included) into out and sets *len to its full length,
  // which may exceed out.size. Status::unsupported when not provided.
  virtual Status vpd_page(uint8_t page, ByteSpan out, uint32_t* len) noexcept = 0;
  // Device mode pages (the core owns Control 0Ah and Informational
  // Exceptions 1Ch). List them, then read one (header-less page incl. its
  // page code/length bytes) or apply one from MODE SELECT.
  virtual uint32_t mode_pages(const ModePageId** ids) noexcept = 0;
  virtual Status mode_page(ModePageId id, ModePageControl pc, ByteSpan out, uint32_t* len) noexcept = 0;
  virtual Status mode_select_page(ModePageId id, ConstByteSpan page, SenseInfo* sense) noexcept = 0;
  // Block descriptor for MODE SENSE; Status::unsupported if none.
  virtual Status block_descriptor(BlockDescriptor* out) noexcept = 0;
  virtual Status set_block_descriptor(const BlockDescriptor* in, SenseInfo* sense) noexcept = 0;
  // A TMF aborted this in-flight command (best effort; it must still complete).
  virtual void abort(IDeviceCommand* cmd) noexcept = 0;
  // LU reset / target reset: drop volatile per-device state per SAM-5 6.3.
  virtual void reset(ResetKind kind) noexcept = 0;
  // Called once, when no command is in flight any more.
  virtual void destroy() noexcept = 0;
  // Appended in ABI 1.0 with a default: the removable-medium interface, or
  // null for devices without removable media.
  virtual IRemovableMedium* removable_medium() noexcept { return nullptr; }
  // Appended in ABI 1.1 with a default: the I_T nexus is gone (logout,
  // connection loss, I_T NEXUS RESET). Per-nexus state such as PREVENT ALLOW
  // MEDIUM REMOVAL ends with it (SPC-4 6.13). Called from any thread after the
  // nexus's last command for this device has completed; the id is not reused.
  virtual void nexus_lost(uint64_t nexus_id) noexcept { (void)nexus_id; }

 protected:
  ~IDevice() = default;
};

// Unit Attention fan-out scopes for IDeviceHost::raise_ua.
enum class UaScope : uint8_t {
  all_nexuses = 0,
  all_but = 1,     // every nexus except `nexus_id` (e.g. MODE PARAMETERS CHANGED)
  only = 2,        // just `nexus_id`
};

// Core services for one device instance. Owned by the core; outlives the device.
class IDeviceHost {
 public:
  // The device's name from the configuration.
  virtual Str name() const noexcept = 0;
  // Writable directory for the device's persistent state.
  virtual Str state_dir() const noexcept = 0;
  // True under `nexusd --check-config`: validate, open nothing for writing,
  // create nothing.
  virtual bool check_only() const noexcept = 0;
  virtual void log(LogLevel level, Str message) noexcept = 0;
  // Queues a Unit Attention (asc/ascq) for the I_T nexuses in scope.
  virtual void raise_ua(UaScope scope, uint64_t nexus_id, uint8_t asc, uint8_t ascq) noexcept = 0;
  // The reactor the caller runs on (null outside reactor threads).
  virtual IReactor* current_reactor() noexcept = 0;
  virtual uint32_t reactor_count() const noexcept = 0;
  virtual IReactor* reactor(uint32_t index) noexcept = 0;
  // Another configured device by name (e.g. a changer's drives), or null if
  // there is none or it has not been created yet. Devices live until
  // shutdown; resolve peers lazily (on first use), not in the factory.
  virtual IDevice* peer_device(Str name) noexcept { (void)name; return nullptr; }

 protected:
  ~IDeviceHost() = default;
};

}  // namespace nexus
