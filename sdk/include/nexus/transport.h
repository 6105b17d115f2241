// Transports: how initiators reach the target (iSCSI, SRP, FC). A transport
// logs initiators in, opens one I_T nexus per session with the core, submits
// commands through one narrow call and moves their data.
//
// Threading: every call on an INexus and on its commands is made on the
// nexus's reactor thread, and the core calls INexusEvents there too.
#pragma once

#include "nexus/abi.h"
#include "nexus/config_node.h"
#include "nexus/reactor.h"
#include "nexus/scsi.h"

namespace nexus {

struct CommandDesc {
  uint32_t struct_size;  // sizeof(CommandDesc)
  TaskAttr attr;
  DataDir dir;           // direction(s) the initiator announced
  uint8_t cdb_length;
  uint8_t reserved0;
  uint64_t lun;          // SAM-5 4.6 eight-byte LUN, byte 0 most significant
  uint64_t tag;          // transport's task tag (iSCSI ITT); unique per nexus
  const uint8_t* cdb;    // copied by the core
  uint32_t expected_length;      // expected data transfer length (Data-Out for bidi)
  uint32_t expected_in_length;   // bidi: expected Data-In length
  uint8_t priority;      // SAM-5 command priority, 0 = default
  uint8_t reserved1[7];
};

struct Residual {
  static constexpr uint8_t underflow = 1;
  static constexpr uint8_t overflow = 2;
};

// A command as the transport sees it. Owned by the core until the transport
// calls release().
class ITransportCommand {
 public:
  virtual uint64_t tag() const noexcept = 0;
  // The data buffer. For Data-Out the transport receives straight into it
  // (immediate, unsolicited and solicited data alike); for Data-In it sends
  // the first data_in_length() bytes from it.
  virtual uint32_t iov(const IoVec** out) const noexcept = 0;
  virtual uint32_t buffer_length() const noexcept = 0;
  // Starts the command. `received` bytes of Data-Out are already in the
  // buffer (immediate + unsolicited data that arrived so far).
  virtual void start(uint32_t received) noexcept = 0;
  // Answer to INexusEvents::request_data_out: the requested range is in the
  // buffer (ok) or will never come (any other status: the command ends with
  // a CHECK CONDITION or is dropped with the connection).
  virtual void data_out_done(Status status) noexcept = 0;
  // Valid once send_response() was called:
  virtual ScsiStatus status() const noexcept = 0;
  virtual ConstByteSpan sense() const noexcept = 0;  // raw sense bytes (empty if none)
  virtual uint32_t data_in_length() const noexcept = 0;
  virtual uint8_t residual_flags() const noexcept = 0;  // Residual bits
  virtual uint32_t residual_count() const noexcept = 0;
  // The transport is done with the command (response sent, or connection gone).
  virtual void release() noexcept = 0;

 protected:
  ~ITransportCommand() = default;
};

struct TmfDesc {
  uint32_t struct_size;
  TmfFunction function;
  uint8_t reserved[3];
  uint64_t lun;
  uint64_t referenced_tag;  // ABORT TASK / QUERY TASK
  uint64_t tmf_tag;         // echoed in tmf_done
};

// Implemented by the transport, one per I_T nexus. Owned by the transport; it
// must stay valid until INexus::close() reports closure via closed().
class INexusEvents {
 public:
  // Bring bytes [offset, offset+length) of Data-Out into cmd's buffer (issue
  // R2Ts for what has not arrived yet), then call cmd->data_out_done().
  virtual void request_data_out(ITransportCommand* cmd, uint32_t offset, uint32_t length) noexcept = 0;
  // Send Data-In (cmd->data_in_length() bytes) then status; then release().
  virtual void send_response(ITransportCommand* cmd) noexcept = 0;
  // The command was aborted by a TMF and gets no response: stop its data
  // transfer and release() it.
  virtual void command_aborted(ITransportCommand* cmd) noexcept = 0;
  virtual void tmf_done(uint64_t tmf_tag, TmfResponse response) noexcept = 0;
  // The core wants this nexus gone (shutdown, reset, admin): log the
  // initiator out gracefully if possible, then call INexus::close().
  virtual void shutdown_request() noexcept = 0;
  // After INexus::close(): every command has been released or dropped by the
  // core; the transport may free its session object now.
  virtual void closed() noexcept = 0;

 protected:
  ~INexusEvents() = default;
};

// Implemented by the core: one I_T nexus. Owned by the core; valid until
// INexusEvents::closed().
class INexus {
 public:
  virtual uint64_t id() const noexcept = 0;
  // Creates a command and its data buffer. Never null: on overload or a bad
  // LUN the command still comes back and is answered by status (TASK SET
  // FULL, CHECK CONDITION) once started.
  virtual ITransportCommand* new_command(const CommandDesc* desc) noexcept = 0;
  virtual void task_mgmt(const TmfDesc* tmf) noexcept = 0;
  // The session is over (logout, connection loss). Outstanding commands are
  // aborted; commands the transport still holds must be release()d; then
  // INexusEvents::closed() is called. `lost` = the nexus vanished without
  // logout (SAM-5 I_T NEXUS LOSS).
  virtual void close(bool lost) noexcept = 0;
  virtual void log(LogLevel level, Str message) noexcept = 0;

 protected:
  ~INexus() = default;
};

struct SessionDesc {
  uint32_t struct_size;
  uint32_t reactor;            // index of the reactor the nexus lives on
  Str initiator_name;          // e.g. iSCSI name
  Str initiator_port_id;       // transport id of the port (iSCSI: name + ",i,0x" + ISID)
  Str target_name;
  uint16_t relative_port;      // target port (iSCSI: portal group tag)
  uint16_t reserved0;
  uint32_t reserved1;
  ConstByteSpan transport_id;  // SPC-4 7.6.4 TransportID of the initiator port
};

// Authentication the core requires for an initiator at a target (CHAP per
// target and per ACL group). Fixed buffers, NUL-terminated.
struct AuthInfo {
  uint32_t struct_size;
  uint8_t chap_required;   // initiator must authenticate with CHAP
  uint8_t mutual_required; // target must authenticate to the initiator
  uint8_t reserved[2];
  char chap_user[256];
  char chap_secret[256];
  char mutual_user[256];
  char mutual_secret[256];
};

struct TargetInfo {
  uint32_t struct_size;
  uint16_t portal_group_tag;
  uint16_t reserved;
  Str name;
  Str alias;
  uint32_t portal_count;
  const Str* portals;  // "host:port", IPv6 as "[addr]:port"
};

// Core services for a transport. Owned by the core; outlives the transport.
class ITransportHost {
 public:
  virtual void log(LogLevel level, Str message) noexcept = 0;
  virtual uint32_t reactor_count() const noexcept = 0;
  virtual IReactor* reactor(uint32_t index) noexcept = 0;
  virtual IReactor* current_reactor() noexcept = 0;
  // Targets this transport serves (config order).
  virtual uint32_t target_count() const noexcept = 0;
  virtual Status target(uint32_t index, TargetInfo* out) noexcept = 0;
  // May initiator log in to target? ok (with *auth filled), not_found (no
  // such target), denied (not in any ACL group).
  virtual Status authorize(Str initiator_name, Str target_name, AuthInfo* auth) noexcept = 0;
  // CHAP secret the discovery session requires (chap_required = 0 if none).
  virtual Status discovery_auth(Str initiator_name, AuthInfo* auth) noexcept = 0;
  // Is target visible to initiator (for SendTargets)?
  virtual bool target_visible(Str initiator_name, Str target_name) noexcept = 0;
  // Opens the I_T nexus after a successful login. `events` must outlive it.
  virtual Status open_nexus(const SessionDesc* desc, INexusEvents* events, INexus** out) noexcept = 0;

 protected:
  ~ITransportHost() = default;
};

class ITransport {
 public:
  // Start listening on the portals of the targets.
  virtual Status start() noexcept = 0;
  // Stop accepting, ask every session to log out, and call done(ctx) when all
  // nexuses are closed (or the grace period ran out and they were dropped).
  virtual void shutdown(uint32_t grace_ms, Callback done, void* ctx) noexcept = 0;
  // Called once after shutdown completed. Before calling it the host lets
  // every reactor run what was already posted to it, so a callback the
  // transport posted just before done() still finds it alive.
  virtual void destroy() noexcept = 0;

 protected:
  ~ITransport() = default;
};

}  // namespace nexus
