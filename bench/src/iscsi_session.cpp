#include "iscsi_session.h"

// clang-format off
#include <cstdint>
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>
// clang-format on

namespace nexus::bench {

IscsiSession::~IscsiSession() {
  if (ctx_) {
    logout();
    iscsi_destroy_context(ctx_);
  }
}

IscsiSession::IscsiSession(IscsiSession&& other) noexcept
    : ctx_(other.ctx_), lun_(other.lun_), logged_in_(other.logged_in_) {
  other.ctx_ = nullptr;
  other.logged_in_ = false;
}

std::string IscsiSession::connect(const std::string& url, const std::string& initiator, int lun,
                                  bool header_digest) {
  ctx_ = iscsi_create_context(initiator.c_str());
  if (!ctx_) return "iscsi_create_context failed";
  iscsi_url* parsed = iscsi_parse_full_url(ctx_, url.c_str());
  if (!parsed) return std::string("bad URL: ") + iscsi_get_error(ctx_);
  lun_ = lun >= 0 ? lun : parsed->lun;
  std::string portal = parsed->portal;
  iscsi_set_targetname(ctx_, parsed->target);
  iscsi_destroy_url(parsed);
  iscsi_set_session_type(ctx_, ISCSI_SESSION_NORMAL);
  iscsi_set_header_digest(ctx_,
                          header_digest ? ISCSI_HEADER_DIGEST_CRC32C : ISCSI_HEADER_DIGEST_NONE);
  // A dropped connection must show up as errors, not be silently re-logged.
  iscsi_set_noautoreconnect(ctx_, 1);
  if (iscsi_full_connect_sync(ctx_, portal.c_str(), lun_) != 0) {
    return "login to " + portal + " failed: " + iscsi_get_error(ctx_);
  }
  logged_in_ = true;
  return "";
}

std::string IscsiSession::read_capacity(LunGeometry& out) {
  scsi_task* task = iscsi_readcapacity16_sync(ctx_, lun_);
  if (!task) return std::string("READ CAPACITY(16) failed: ") + iscsi_get_error(ctx_);
  std::string err;
  if (task->status != SCSI_STATUS_GOOD) {
    err = std::string("READ CAPACITY(16): ") + iscsi_get_error(ctx_);
  } else if (auto* rc = static_cast<scsi_readcapacity16*>(scsi_datain_unmarshall(task))) {
    out.block_size = rc->block_length;
    out.blocks = rc->returned_lba + 1;
    if (out.block_size == 0) err = "READ CAPACITY(16) returned block length 0";
  } else {
    err = "READ CAPACITY(16): cannot parse the parameter data";
  }
  scsi_free_scsi_task(task);
  return err;
}

void IscsiSession::logout() {
  if (ctx_ && logged_in_) {
    logged_in_ = false;
    iscsi_set_timeout(ctx_, 5);  // a hung target must not hang the benchmark
    iscsi_logout_sync(ctx_);
  }
}

}  // namespace nexus::bench
