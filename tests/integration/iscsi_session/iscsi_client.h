// A libiscsi initiator for the integration tests (synchronous API).
#pragma once

extern "C" {
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>
}

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace nexus::test {

struct TaskResult {
  int status = -1;  // SCSI status, or -1 on transport failure
  int sense_key = 0;
  int asc = 0;
  int ascq = 0;
  std::vector<uint8_t> data;
  int residual_type = 0;
  uint32_t residual = 0;
};

class IscsiClient {
 public:
  explicit IscsiClient(const std::string& initiator) {
    ctx_ = iscsi_create_context(initiator.c_str());
  }
  ~IscsiClient() {
    if (ctx_) {
      if (connected_) iscsi_logout_sync(ctx_);
      iscsi_destroy_context(ctx_);
    }
  }
  IscsiClient(const IscsiClient&) = delete;
  IscsiClient& operator=(const IscsiClient&) = delete;

  void chap(const std::string& user, const std::string& secret) {
    iscsi_set_initiator_username_pwd(ctx_, user.c_str(), secret.c_str());
  }
  void mutual_chap(const std::string& user, const std::string& secret) {
    iscsi_set_target_username_pwd(ctx_, user.c_str(), secret.c_str());
  }
  bool login(const std::string& portal, const std::string& target, int lun = 0) {
    iscsi_set_targetname(ctx_, target.c_str());
    iscsi_set_session_type(ctx_, ISCSI_SESSION_NORMAL);
    iscsi_set_header_digest(ctx_, ISCSI_HEADER_DIGEST_NONE_CRC32C);
    connected_ = iscsi_full_connect_sync(ctx_, portal.c_str(), lun) == 0;
    return connected_;
  }
  std::string error() const { return iscsi_get_error(ctx_); }
  // The target went away: destroy without logging out (libiscsi's sync
  // logout would try to reconnect).
  void abandon() { connected_ = false; }

  // Sends a raw CDB; `out` is Data-Out, `in_len` the expected Data-In length.
  TaskResult command(int lun, const std::vector<uint8_t>& cdb, const std::vector<uint8_t>& out = {},
                     uint32_t in_len = 0) {
    TaskResult r;
    scsi_task* task = static_cast<scsi_task*>(std::calloc(1, sizeof(scsi_task)));
    std::memcpy(task->cdb, cdb.data(), cdb.size());
    task->cdb_size = int(cdb.size());
    if (!out.empty()) {
      task->xfer_dir = SCSI_XFER_WRITE;
      task->expxferlen = int(out.size());
    } else if (in_len) {
      task->xfer_dir = SCSI_XFER_READ;
      task->expxferlen = int(in_len);
    } else {
      task->xfer_dir = SCSI_XFER_NONE;
    }
    iscsi_data d{};
    d.size = out.size();
    d.data = const_cast<unsigned char*>(out.data());
    scsi_task* t = iscsi_scsi_command_sync(ctx_, lun, task, out.empty() ? nullptr : &d);
    if (!t) {
      scsi_free_scsi_task(task);
      return r;
    }
    r.status = t->status;
    if (t->status == SCSI_STATUS_CHECK_CONDITION) {
      r.sense_key = t->sense.key;
      r.asc = (t->sense.ascq >> 8) & 0xFF;
      r.ascq = t->sense.ascq & 0xFF;
    }
    if (t->datain.size > 0) r.data.assign(t->datain.data, t->datain.data + t->datain.size);
    r.residual_type = t->residual_status;
    r.residual = uint32_t(t->residual);
    scsi_free_scsi_task(t);
    return r;
  }

  // TEST UNIT READY until no Unit Attention is pending (initiators do this
  // after login).
  void clear_unit_attentions(int lun = 0) {
    for (int i = 0; i < 20; ++i) {
      TaskResult r = command(lun, {0, 0, 0, 0, 0, 0});
      if (!(r.status == SCSI_STATUS_CHECK_CONDITION && r.sense_key == SCSI_SENSE_UNIT_ATTENTION))
        return;
    }
  }

  iscsi_context* raw() { return ctx_; }

 private:
  iscsi_context* ctx_ = nullptr;
  bool connected_ = false;
};

inline std::vector<uint8_t> read10(uint32_t lba, uint16_t blocks) {
  return {0x28,         0, uint8_t(lba >> 24),   uint8_t(lba >> 16), uint8_t(lba >> 8),
          uint8_t(lba), 0, uint8_t(blocks >> 8), uint8_t(blocks),    0};
}
inline std::vector<uint8_t> write10(uint32_t lba, uint16_t blocks) {
  auto c = read10(lba, blocks);
  c[0] = 0x2A;
  return c;
}

}  // namespace nexus::test
