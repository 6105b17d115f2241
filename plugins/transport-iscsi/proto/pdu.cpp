// BHS layouts follow RFC 7143 §11 (byte offsets in the comments of pdu.h users).
#include "pdu.h"

#include <cstring>

#include "nexus/bytes.hpp"

namespace nexus::iscsi {
namespace {

uint8_t* start(uint8_t* b, Opcode op, bool immediate, uint32_t data_length) noexcept {
  std::memset(b, 0, kBhsLen);
  b[0] = uint8_t(op) | (immediate ? 0x40 : 0);
  put_be24(b + 5, data_length & kMaxDataSegmentLength);
  return b;
}
bool is(const uint8_t* b, Opcode op) noexcept { return (b[0] & 0x3f) == uint8_t(op); }
uint32_t dlen(const uint8_t* b) noexcept { return get_be24(b + 5); }
uint32_t u32(const uint8_t* b, int off) noexcept { return get_be32(b + off); }

}  // namespace

BhsCommon decode_common(const uint8_t* b) noexcept {
  return BhsCommon{Opcode(b[0] & 0x3f), (b[0] & 0x40) != 0, b[4], dlen(b), u32(b, 16)};
}

bool is_initiator_opcode(uint8_t op) noexcept {
  switch (Opcode(op)) {
    case Opcode::nop_out:
    case Opcode::scsi_command:
    case Opcode::tmf_request:
    case Opcode::login_request:
    case Opcode::text_request:
    case Opcode::data_out:
    case Opcode::logout_request:
    case Opcode::snack_request:
      return true;
    default:
      return false;
  }
}

void ScsiCommand::encode(uint8_t* b) const noexcept {
  start(b, Opcode::scsi_command, immediate, data_length);
  b[1] = (final ? 0x80 : 0) | (read ? 0x40 : 0) | (write ? 0x20 : 0) | (attr & 0x07);
  b[4] = ahs_words;
  put_be64(b + 8, lun);
  put_be32(b + 16, itt);
  put_be32(b + 20, expected_length);
  put_be32(b + 24, cmd_sn);
  put_be32(b + 28, exp_stat_sn);
  std::memcpy(b + 32, cdb, 16);
}
bool ScsiCommand::decode(const uint8_t* b, ScsiCommand* o) noexcept {
  if (!is(b, Opcode::scsi_command)) return false;
  o->immediate = b[0] & 0x40;
  o->final = b[1] & 0x80;
  o->read = b[1] & 0x40;
  o->write = b[1] & 0x20;
  o->attr = b[1] & 0x07;
  o->ahs_words = b[4];
  o->data_length = dlen(b);
  o->lun = get_be64(b + 8);
  o->itt = u32(b, 16);
  o->expected_length = u32(b, 20);
  o->cmd_sn = u32(b, 24);
  o->exp_stat_sn = u32(b, 28);
  std::memcpy(o->cdb, b + 32, 16);
  // F=0 announces unsolicited Data-Out, which only a write can have (§11.3.1).
  if (!o->final && !o->write) return false;
  // Immediate data on a command that transfers nothing out is malformed.
  if (o->data_length && !o->write) return false;
  return true;
}

void ScsiResponse::encode(uint8_t* b) const noexcept {
  start(b, Opcode::scsi_response, false, data_length);
  b[1] = 0x80 | (bidi_overflow ? 0x10 : 0) | (bidi_underflow ? 0x08 : 0) | (overflow ? 0x04 : 0) |
         (underflow ? 0x02 : 0);
  b[2] = response;
  b[3] = status;
  put_be32(b + 16, itt);
  put_be32(b + 20, snack_tag);
  put_be32(b + 24, stat_sn);
  put_be32(b + 28, exp_cmd_sn);
  put_be32(b + 32, max_cmd_sn);
  put_be32(b + 36, exp_data_sn);
  put_be32(b + 40, bidi_residual);
  put_be32(b + 44, residual);
}
bool ScsiResponse::decode(const uint8_t* b, ScsiResponse* o) noexcept {
  if (!is(b, Opcode::scsi_response)) return false;
  o->bidi_overflow = b[1] & 0x10;
  o->bidi_underflow = b[1] & 0x08;
  o->overflow = b[1] & 0x04;
  o->underflow = b[1] & 0x02;
  o->response = b[2];
  o->status = b[3];
  o->data_length = dlen(b);
  o->itt = u32(b, 16);
  o->snack_tag = u32(b, 20);
  o->stat_sn = u32(b, 24);
  o->exp_cmd_sn = u32(b, 28);
  o->max_cmd_sn = u32(b, 32);
  o->exp_data_sn = u32(b, 36);
  o->bidi_residual = u32(b, 40);
  o->residual = u32(b, 44);
  return !(o->overflow && o->underflow);
}

void DataOut::encode(uint8_t* b) const noexcept {
  start(b, Opcode::data_out, false, data_length);
  b[1] = final ? 0x80 : 0;
  put_be64(b + 8, lun);
  put_be32(b + 16, itt);
  put_be32(b + 20, ttt);
  put_be32(b + 28, exp_stat_sn);
  put_be32(b + 36, data_sn);
  put_be32(b + 40, buffer_offset);
}
bool DataOut::decode(const uint8_t* b, DataOut* o) noexcept {
  if (!is(b, Opcode::data_out)) return false;
  o->final = b[1] & 0x80;
  o->data_length = dlen(b);
  o->lun = get_be64(b + 8);
  o->itt = u32(b, 16);
  o->ttt = u32(b, 20);
  o->exp_stat_sn = u32(b, 28);
  o->data_sn = u32(b, 36);
  o->buffer_offset = u32(b, 40);
  return true;
}

void DataIn::encode(uint8_t* b) const noexcept {
  start(b, Opcode::data_in, false, data_length);
  b[1] = (final ? 0x80 : 0) | (ack ? 0x40 : 0) | (overflow ? 0x04 : 0) | (underflow ? 0x02 : 0) |
         (has_status ? 0x01 : 0);
  b[3] = has_status ? status : 0;
  put_be64(b + 8, lun);
  put_be32(b + 16, itt);
  put_be32(b + 20, ttt);
  put_be32(b + 24, has_status ? stat_sn : 0);
  put_be32(b + 28, exp_cmd_sn);
  put_be32(b + 32, max_cmd_sn);
  put_be32(b + 36, data_sn);
  put_be32(b + 40, buffer_offset);
  put_be32(b + 44, residual);
}
bool DataIn::decode(const uint8_t* b, DataIn* o) noexcept {
  if (!is(b, Opcode::data_in)) return false;
  o->final = b[1] & 0x80;
  o->ack = b[1] & 0x40;
  o->overflow = b[1] & 0x04;
  o->underflow = b[1] & 0x02;
  o->has_status = b[1] & 0x01;
  o->status = b[3];
  o->data_length = dlen(b);
  o->lun = get_be64(b + 8);
  o->itt = u32(b, 16);
  o->ttt = u32(b, 20);
  o->stat_sn = u32(b, 24);
  o->exp_cmd_sn = u32(b, 28);
  o->max_cmd_sn = u32(b, 32);
  o->data_sn = u32(b, 36);
  o->buffer_offset = u32(b, 40);
  o->residual = u32(b, 44);
  // S implies F (§11.7.1).
  return !(o->has_status && !o->final) && !(o->overflow && o->underflow);
}

void R2T::encode(uint8_t* b) const noexcept {
  start(b, Opcode::r2t, false, 0);
  b[1] = 0x80;
  put_be64(b + 8, lun);
  put_be32(b + 16, itt);
  put_be32(b + 20, ttt);
  put_be32(b + 24, stat_sn);
  put_be32(b + 28, exp_cmd_sn);
  put_be32(b + 32, max_cmd_sn);
  put_be32(b + 36, r2t_sn);
  put_be32(b + 40, buffer_offset);
  put_be32(b + 44, desired_length);
}
bool R2T::decode(const uint8_t* b, R2T* o) noexcept {
  if (!is(b, Opcode::r2t)) return false;
  o->lun = get_be64(b + 8);
  o->itt = u32(b, 16);
  o->ttt = u32(b, 20);
  o->stat_sn = u32(b, 24);
  o->exp_cmd_sn = u32(b, 28);
  o->max_cmd_sn = u32(b, 32);
  o->r2t_sn = u32(b, 36);
  o->buffer_offset = u32(b, 40);
  o->desired_length = u32(b, 44);
  return (b[1] & 0x80) && dlen(b) == 0 && o->desired_length != 0;
}

void TaskMgmtRequest::encode(uint8_t* b) const noexcept {
  start(b, Opcode::tmf_request, immediate, 0);
  b[1] = 0x80 | (function & 0x7f);
  put_be64(b + 8, lun);
  put_be32(b + 16, itt);
  put_be32(b + 20, referenced_tag);
  put_be32(b + 24, cmd_sn);
  put_be32(b + 28, exp_stat_sn);
  put_be32(b + 32, ref_cmd_sn);
  put_be32(b + 36, exp_data_sn);
}
bool TaskMgmtRequest::decode(const uint8_t* b, TaskMgmtRequest* o) noexcept {
  if (!is(b, Opcode::tmf_request)) return false;
  o->immediate = b[0] & 0x40;
  o->function = b[1] & 0x7f;
  o->lun = get_be64(b + 8);
  o->itt = u32(b, 16);
  o->referenced_tag = u32(b, 20);
  o->cmd_sn = u32(b, 24);
  o->exp_stat_sn = u32(b, 28);
  o->ref_cmd_sn = u32(b, 32);
  o->exp_data_sn = u32(b, 36);
  return (b[1] & 0x80) != 0;
}

void TaskMgmtResponse::encode(uint8_t* b) const noexcept {
  start(b, Opcode::tmf_response, false, 0);
  b[1] = 0x80;
  b[2] = response;
  put_be32(b + 16, itt);
  put_be32(b + 24, stat_sn);
  put_be32(b + 28, exp_cmd_sn);
  put_be32(b + 32, max_cmd_sn);
}
bool TaskMgmtResponse::decode(const uint8_t* b, TaskMgmtResponse* o) noexcept {
  if (!is(b, Opcode::tmf_response)) return false;
  o->response = b[2];
  o->itt = u32(b, 16);
  o->stat_sn = u32(b, 24);
  o->exp_cmd_sn = u32(b, 28);
  o->max_cmd_sn = u32(b, 32);
  return true;
}

namespace {
uint8_t stage_flags(bool transit, bool cont, uint8_t csg, uint8_t nsg) noexcept {
  return (transit ? 0x80 : 0) | (cont ? 0x40 : 0) | uint8_t((csg & 3) << 2) | (nsg & 3);
}
void put_isid(uint8_t* p, uint64_t isid) noexcept {
  for (int i = 5; i >= 0; --i, isid >>= 8) p[i] = uint8_t(isid);
}
}  // namespace

void LoginRequest::encode(uint8_t* b) const noexcept {
  start(b, Opcode::login_request, true, data_length);
  b[1] = stage_flags(transit, cont, csg, nsg);
  b[2] = version_max;
  b[3] = version_min;
  put_isid(b + 8, isid);
  put_be16(b + 14, tsih);
  put_be32(b + 16, itt);
  put_be16(b + 20, cid);
  put_be32(b + 24, cmd_sn);
  put_be32(b + 28, exp_stat_sn);
}
bool LoginRequest::decode(const uint8_t* b, LoginRequest* o) noexcept {
  if (!is(b, Opcode::login_request)) return false;
  o->transit = b[1] & 0x80;
  o->cont = b[1] & 0x40;
  o->csg = (b[1] >> 2) & 3;
  o->nsg = b[1] & 3;
  o->version_max = b[2];
  o->version_min = b[3];
  o->data_length = dlen(b);
  o->isid = get_be(b + 8, 6);
  o->tsih = get_be16(b + 14);
  o->itt = u32(b, 16);
  o->cid = get_be16(b + 20);
  o->cmd_sn = u32(b, 24);
  o->exp_stat_sn = u32(b, 28);
  return !(o->transit && o->cont);  // §11.12.2: T and C never both set
}

void LoginResponse::encode(uint8_t* b) const noexcept {
  start(b, Opcode::login_response, false, data_length);
  b[1] = stage_flags(transit, cont, csg, nsg);
  b[2] = version_max;
  b[3] = version_active;
  put_isid(b + 8, isid);
  put_be16(b + 14, tsih);
  put_be32(b + 16, itt);
  put_be32(b + 24, stat_sn);
  put_be32(b + 28, exp_cmd_sn);
  put_be32(b + 32, max_cmd_sn);
  b[36] = status_class;
  b[37] = status_detail;
}
bool LoginResponse::decode(const uint8_t* b, LoginResponse* o) noexcept {
  if (!is(b, Opcode::login_response)) return false;
  o->transit = b[1] & 0x80;
  o->cont = b[1] & 0x40;
  o->csg = (b[1] >> 2) & 3;
  o->nsg = b[1] & 3;
  o->version_max = b[2];
  o->version_active = b[3];
  o->data_length = dlen(b);
  o->isid = get_be(b + 8, 6);
  o->tsih = get_be16(b + 14);
  o->itt = u32(b, 16);
  o->stat_sn = u32(b, 24);
  o->exp_cmd_sn = u32(b, 28);
  o->max_cmd_sn = u32(b, 32);
  o->status_class = b[36];
  o->status_detail = b[37];
  return !(o->transit && o->cont);
}

void TextRequest::encode(uint8_t* b) const noexcept {
  start(b, Opcode::text_request, immediate, data_length);
  b[1] = (final ? 0x80 : 0) | (cont ? 0x40 : 0);
  put_be64(b + 8, lun);
  put_be32(b + 16, itt);
  put_be32(b + 20, ttt);
  put_be32(b + 24, cmd_sn);
  put_be32(b + 28, exp_stat_sn);
}
bool TextRequest::decode(const uint8_t* b, TextRequest* o) noexcept {
  if (!is(b, Opcode::text_request)) return false;
  o->immediate = b[0] & 0x40;
  o->final = b[1] & 0x80;
  o->cont = b[1] & 0x40;
  o->data_length = dlen(b);
  o->lun = get_be64(b + 8);
  o->itt = u32(b, 16);
  o->ttt = u32(b, 20);
  o->cmd_sn = u32(b, 24);
  o->exp_stat_sn = u32(b, 28);
  return !(o->final && o->cont);  // §11.10.2
}

void TextResponse::encode(uint8_t* b) const noexcept {
  start(b, Opcode::text_response, false, data_length);
  b[1] = (final ? 0x80 : 0) | (cont ? 0x40 : 0);
  put_be64(b + 8, lun);
  put_be32(b + 16, itt);
  put_be32(b + 20, ttt);
  put_be32(b + 24, stat_sn);
  put_be32(b + 28, exp_cmd_sn);
  put_be32(b + 32, max_cmd_sn);
}
bool TextResponse::decode(const uint8_t* b, TextResponse* o) noexcept {
  if (!is(b, Opcode::text_response)) return false;
  o->final = b[1] & 0x80;
  o->cont = b[1] & 0x40;
  o->data_length = dlen(b);
  o->lun = get_be64(b + 8);
  o->itt = u32(b, 16);
  o->ttt = u32(b, 20);
  o->stat_sn = u32(b, 24);
  o->exp_cmd_sn = u32(b, 28);
  o->max_cmd_sn = u32(b, 32);
  return !(o->final && o->cont);
}

void LogoutRequest::encode(uint8_t* b) const noexcept {
  start(b, Opcode::logout_request, immediate, 0);
  b[1] = 0x80 | (reason & 0x7f);
  put_be32(b + 16, itt);
  put_be16(b + 20, cid);
  put_be32(b + 24, cmd_sn);
  put_be32(b + 28, exp_stat_sn);
}
bool LogoutRequest::decode(const uint8_t* b, LogoutRequest* o) noexcept {
  if (!is(b, Opcode::logout_request)) return false;
  o->immediate = b[0] & 0x40;
  o->reason = b[1] & 0x7f;
  o->itt = u32(b, 16);
  o->cid = get_be16(b + 20);
  o->cmd_sn = u32(b, 24);
  o->exp_stat_sn = u32(b, 28);
  return (b[1] & 0x80) != 0;
}

void LogoutResponse::encode(uint8_t* b) const noexcept {
  start(b, Opcode::logout_response, false, 0);
  b[1] = 0x80;
  b[2] = response;
  put_be32(b + 16, itt);
  put_be32(b + 24, stat_sn);
  put_be32(b + 28, exp_cmd_sn);
  put_be32(b + 32, max_cmd_sn);
  put_be16(b + 40, time2wait);
  put_be16(b + 42, time2retain);
}
bool LogoutResponse::decode(const uint8_t* b, LogoutResponse* o) noexcept {
  if (!is(b, Opcode::logout_response)) return false;
  o->response = b[2];
  o->itt = u32(b, 16);
  o->stat_sn = u32(b, 24);
  o->exp_cmd_sn = u32(b, 28);
  o->max_cmd_sn = u32(b, 32);
  o->time2wait = get_be16(b + 40);
  o->time2retain = get_be16(b + 42);
  return true;
}

void NopOut::encode(uint8_t* b) const noexcept {
  start(b, Opcode::nop_out, immediate, data_length);
  b[1] = 0x80;
  put_be64(b + 8, lun);
  put_be32(b + 16, itt);
  put_be32(b + 20, ttt);
  put_be32(b + 24, cmd_sn);
  put_be32(b + 28, exp_stat_sn);
}
bool NopOut::decode(const uint8_t* b, NopOut* o) noexcept {
  if (!is(b, Opcode::nop_out)) return false;
  o->immediate = b[0] & 0x40;
  o->data_length = dlen(b);
  o->lun = get_be64(b + 8);
  o->itt = u32(b, 16);
  o->ttt = u32(b, 20);
  o->cmd_sn = u32(b, 24);
  o->exp_stat_sn = u32(b, 28);
  // §11.18: ITT and TTT must not both be 0xffffffff... except a pure
  // keep-alive with I=1, which is allowed; both valid tags is malformed.
  return (b[1] & 0x80) && !(o->itt != kReservedTag && o->ttt != kReservedTag);
}

void NopIn::encode(uint8_t* b) const noexcept {
  start(b, Opcode::nop_in, false, data_length);
  b[1] = 0x80;
  put_be64(b + 8, lun);
  put_be32(b + 16, itt);
  put_be32(b + 20, ttt);
  put_be32(b + 24, stat_sn);
  put_be32(b + 28, exp_cmd_sn);
  put_be32(b + 32, max_cmd_sn);
}
bool NopIn::decode(const uint8_t* b, NopIn* o) noexcept {
  if (!is(b, Opcode::nop_in)) return false;
  o->data_length = dlen(b);
  o->lun = get_be64(b + 8);
  o->itt = u32(b, 16);
  o->ttt = u32(b, 20);
  o->stat_sn = u32(b, 24);
  o->exp_cmd_sn = u32(b, 28);
  o->max_cmd_sn = u32(b, 32);
  return true;
}

void Reject::encode(uint8_t* b) const noexcept {
  start(b, Opcode::reject, false, data_length);
  b[1] = 0x80;
  b[2] = reason;
  put_be32(b + 16, kReservedTag);
  put_be32(b + 24, stat_sn);
  put_be32(b + 28, exp_cmd_sn);
  put_be32(b + 32, max_cmd_sn);
  put_be32(b + 36, data_sn);
}
bool Reject::decode(const uint8_t* b, Reject* o) noexcept {
  if (!is(b, Opcode::reject)) return false;
  o->reason = b[2];
  o->data_length = dlen(b);
  o->stat_sn = u32(b, 24);
  o->exp_cmd_sn = u32(b, 28);
  o->max_cmd_sn = u32(b, 32);
  o->data_sn = u32(b, 36);
  return true;
}

void AsyncMessage::encode(uint8_t* b) const noexcept {
  start(b, Opcode::async_message, false, data_length);
  b[1] = 0x80;
  put_be64(b + 8, lun);
  put_be32(b + 16, kReservedTag);
  put_be32(b + 24, stat_sn);
  put_be32(b + 28, exp_cmd_sn);
  put_be32(b + 32, max_cmd_sn);
  b[36] = event;
  b[37] = vcode;
  put_be16(b + 38, param1);
  put_be16(b + 40, param2);
  put_be16(b + 42, param3);
}
bool AsyncMessage::decode(const uint8_t* b, AsyncMessage* o) noexcept {
  if (!is(b, Opcode::async_message)) return false;
  o->data_length = dlen(b);
  o->lun = get_be64(b + 8);
  o->stat_sn = u32(b, 24);
  o->exp_cmd_sn = u32(b, 28);
  o->max_cmd_sn = u32(b, 32);
  o->event = b[36];
  o->vcode = b[37];
  o->param1 = get_be16(b + 38);
  o->param2 = get_be16(b + 40);
  o->param3 = get_be16(b + 42);
  return true;
}

}  // namespace nexus::iscsi
