// One iSCSI connection (= one session: MaxConnections=1) living on one
// reactor: receive state machine, login, full feature phase, and the
// INexusEvents the core calls for its I_T nexus.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "iscsi_transport.h"
#include "login_state_machine.h"
#include "pdu.h"
#include "r2t.h"
#include "task_table.h"
#include "text_keys.h"
#include "tx_queue.h"

namespace nexus::iscsi {

class Connection final : public INexusEvents {
 public:
  Connection(IscsiTransport* transport, IReactor* reactor, int fd);
  void start();
  uint64_t id() const { return id_; }

  // Cross-reactor requests (run on this connection's reactor).
  void on_message(IscsiTransport::Op op, uint64_t arg, uint32_t arg2);

  // INexusEvents
  void request_data_out(ITransportCommand* cmd, uint32_t offset, uint32_t length) noexcept override;
  void send_response(ITransportCommand* cmd) noexcept override;
  void command_aborted(ITransportCommand* cmd) noexcept override;
  void tmf_done(uint64_t tmf_tag, TmfResponse response) noexcept override;
  void shutdown_request() noexcept override;
  void closed() noexcept override;

 private:
  ~Connection();
  enum class Phase : uint8_t { login, waiting_reinstatement, full_feature, logging_out };

  // I/O (connection.cpp)
  static void on_fd(void* ctx, uint32_t events) noexcept;
  static void resume_cb(void* ctx) noexcept;
  static void flush_cb(void* ctx) noexcept;
  void maybe_resume();
  static void on_keepalive_timer(void* ctx) noexcept;
  static void on_logout_timer(void* ctx) noexcept;
  void on_readable();
  void header_complete();
  void data_complete();
  void dispatch();
  void set_rx_buffer(uint32_t len);
  void set_rx_discard(uint32_t len);
  void set_rx_command(Task* t, uint32_t offset, uint32_t len);
  void rx_retarget_to_sink();
  void begin_data(uint32_t len);
  size_t rx_consume(const uint8_t* src, size_t n);
  void queue(TxPdu&& pdu);
  void flush();
  void update_interest();
  void drop(const std::string& why);
  void maybe_destroy();
  static void destroy_cb(void* ctx) noexcept;
  static void deferred_drop_cb(void* ctx) noexcept;
  void arm_keepalive();
  void keepalive_fired();
  void send_reject(RejectReason reason);
  bool check_cmd_sn(bool immediate, uint32_t cmd_sn);
  uint32_t max_cmd_sn() const { return exp_cmd_sn_ + cfg_.cmdsn_window - 1; }
  uint32_t next_ttt();
  void logf(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

  // Login / text / logout (connection_login.cpp)
  void handle_login();
  void finish_login();
  void complete_full_feature();
  void send_login_reply(LoginReply& rep);
  void handle_text();
  void send_text_chunk(uint32_t itt);
  void handle_logout();
  void send_logout_response();
  void handle_nop_out();
  void send_async_logout(uint16_t seconds);

  // SCSI (connection_scsi.cpp)
  void scsi_command_header();
  void data_out_header();
  void data_out_complete(Task* t);
  void start_command(Task* t);
  void issue_r2ts(Task* t);
  void respond(Task* t);
  void handle_tmf();
  Task* find_task(uint32_t itt);
  void erase_task(Task* t);
  void release_all_tasks();

  IscsiTransport* transport_;
  IReactor* reactor_;
  TransportConfig cfg_;
  int fd_;
  uint64_t id_ = 0;
  std::string peer_;
  IFdWatch* watch_ = nullptr;
  ITimer* keepalive_timer_ = nullptr;
  ITimer* logout_timer_ = nullptr;
  Phase phase_ = Phase::login;
  bool dropping_ = false;
  bool destroy_posted_ = false;
  bool in_io_ = false;
  bool flush_pending_ = false;
  bool write_blocked_ = false;
  std::string deferred_drop_;  // reason of a drop scheduled from a core callback
  TxQueue tx_;

  // Receive state
  enum class Rx : uint8_t { header, data };
  Rx rx_ = Rx::header;
  uint8_t hdr_[kBhsLen + 1020 + 4];
  size_t hdr_have_ = 0;
  // Bytes read ahead of the current PDU: one recv() takes the headers of
  // every command the initiator queued (they follow hdr_ in stream order).
  std::unique_ptr<uint8_t[]> stage_;
  size_t stage_pos_ = 0, stage_len_ = 0;
  bool resume_posted_ = false;  // a resume_cb() is queued
  bool rx_pending_ = false;     // reading stopped before the socket was seen empty
  bool flush_posted_ = false;   // a flush_cb() is queued
  uint8_t cur_[kBhsLen];
  std::vector<uint8_t> cur_ahs_;
  BhsCommon cur_common_{};
  std::vector<iovec> rx_iov_;  // destination of the current data segment
  size_t rx_iov_pos_ = 0;      // first slice not completely filled
  uint8_t rx_tail_[8];         // padding + data digest
  size_t rx_tail_len_ = 0, rx_tail_have_ = 0;
  uint32_t rx_crc_ = 0;
  bool rx_digest_valid_ = true;  // false when the destination changed mid-segment
  std::vector<uint8_t> rx_buf_;
  std::unique_ptr<uint8_t[]> sink_;
  Task* rx_task_ = nullptr;
  bool rx_discard_ = false;

  // Session state
  std::unique_ptr<LoginStateMachine> login_;
  SessionParams params_;
  bool discovery_ = false;
  bool header_digest_ = false, data_digest_ = false;
  uint32_t stat_sn_ = 1;
  uint32_t exp_cmd_sn_ = 0;
  uint32_t ttt_counter_ = 0;
  std::string session_key_;
  std::string pending_key_;
  std::string initiator_, target_;
  uint16_t tsih_ = 0;
  uint64_t isid_ = 0;
  LoginReply pending_login_reply_;
  INexus* nexus_ = nullptr;
  bool nexus_close_called_ = false;
  bool nexus_closed_ = false;
  uint32_t logout_itt_ = 0;
  bool logout_response_due_ = false;
  uint64_t reinstate_waiter_ = 0;
  uint32_t reinstate_waiter_reactor_ = 0;
  uint32_t ping_ttt_ = kReservedTag;
  bool rx_activity_ = false;  // bytes arrived since the keep-alive timer was armed
  TaskTable tasks_;
  std::unordered_map<uint32_t, uint8_t> tmfs_;  // ITT -> function
  TextAccumulator text_in_;
  TextSender text_out_;
  uint32_t text_ttt_ = kReservedTag;
  std::string local_addr_;
};

}  // namespace nexus::iscsi
