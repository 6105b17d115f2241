// Command execution of the disk handler: CDB decoding, range checks, and
// the per-command state machines that drive the backend.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "disk_device.h"
#include "disk_opcodes.h"
#include "nexus/bytes.hpp"
#include "nexus/log.hpp"
#include "nexus/sense.hpp"

namespace nexus::disk {
namespace {

enum class OpKind : uint8_t {
  read,
  write,
  verify,
  compare_and_write,
  or_write,
  write_same,
  unmap,
  flush
};

class DiskOp;

struct LockEntry : LbaRangeLock::Entry {
  DiskOp* op = nullptr;
};

// One command in flight. Objects are recycled through a per-thread free list
// so the steady state allocates nothing; their vectors keep their capacity.
class DiskOp final : public IoCallback {
 public:
  static DiskOp* get(DiskDevice* dev, IDeviceCommand* cmd, OpKind kind) noexcept;

  // Takes the LBA range lock when the command writes, then runs.
  void start(bool needs_lock) noexcept;
  void io_done(int64_t result) noexcept override;

  DiskDevice* dev = nullptr;
  IDeviceCommand* cmd = nullptr;
  OpKind kind = OpKind::read;
  uint64_t lba = 0;
  uint64_t nblocks = 0;
  uint64_t bytes = 0;  // data bytes of the whole operation
  bool sync = false;   // write-through
  uint8_t bytchk = 0;
  std::vector<std::pair<uint64_t, uint64_t>> extents;  // UNMAP: (lba, count)
  std::vector<uint8_t> scratch;

 private:
  friend struct OpPool;
  void run() noexcept;
  bool step() noexcept;
  bool finish(ScsiStatus status, const SenseInfo* sense = nullptr) noexcept;
  bool finish_error(int64_t err, bool write) noexcept;
  void submit(IoKind k, uint64_t offset) noexcept;
  void use_cmd_buffer(uint64_t offset, uint64_t len) noexcept;
  void use_scratch(uint64_t len) noexcept;
  static void on_granted(LbaRangeLock::Entry* e) noexcept;
  static void resume(void* ctx) noexcept;
  void recycle() noexcept;

  std::vector<iovec> iov_;
  IoRequest req_;
  LockEntry lock_;
  bool locked_ = false;
  IReactor* origin_ = nullptr;
  int state_ = 0;
  uint64_t progress_ = 0;
  uint64_t chunk_ = 0;
  int64_t res_ = 0;
  bool running_ = false;
  bool inline_done_ = false;
};

struct OpPool {
  std::vector<DiskOp*> free;
  ~OpPool() {
    for (DiskOp* op : free) delete op;
  }
};
thread_local OpPool t_pool;
constexpr size_t kPoolMax = 256;

DiskOp* DiskOp::get(DiskDevice* dev, IDeviceCommand* cmd, OpKind kind) noexcept {
  DiskOp* op;
  if (!t_pool.free.empty()) {
    op = t_pool.free.back();
    t_pool.free.pop_back();
  } else {
    op = new (std::nothrow) DiskOp();
    if (!op) return nullptr;
  }
  op->dev = dev;
  op->cmd = cmd;
  op->kind = kind;
  op->lba = op->nblocks = op->bytes = 0;
  op->sync = false;
  op->bytchk = 0;
  op->extents.clear();
  op->scratch.clear();
  op->iov_.clear();
  op->locked_ = false;
  op->origin_ = nullptr;
  op->state_ = 0;
  op->progress_ = op->chunk_ = 0;
  op->res_ = 0;
  op->running_ = op->inline_done_ = false;
  op->lock_.op = op;
  return op;
}

void DiskOp::recycle() noexcept {
  if (t_pool.free.size() < kPoolMax && scratch.capacity() <= DiskLimits::kChunkBytes) {
    try {
      t_pool.free.push_back(this);
      return;
    } catch (...) {
    }
  }
  delete this;
}

void DiskOp::start(bool needs_lock) noexcept {
  if (needs_lock) {
    lock_.lba = lba;
    lock_.count = nblocks;
    lock_.granted = &DiskOp::on_granted;
    origin_ = dev->host()->current_reactor();
    locked_ = true;
    if (!dev->range_lock().acquire(&lock_)) return;  // resumes in on_granted
  }
  run();
}

void DiskOp::on_granted(LbaRangeLock::Entry* e) noexcept {
  DiskOp* op = static_cast<LockEntry*>(e)->op;
  // Continue on the command's own reactor: its completions belong there.
  if (op->origin_)
    op->origin_->post(&DiskOp::resume, op);
  else
    op->run();
}

void DiskOp::resume(void* ctx) noexcept { static_cast<DiskOp*>(ctx)->run(); }

void DiskOp::io_done(int64_t result) noexcept {
  res_ = result;
  if (running_) {
    inline_done_ = true;  // step() loops instead of recursing
    return;
  }
  run();
}

void DiskOp::run() noexcept {
  running_ = true;
  for (;;) {
    inline_done_ = false;
    if (!step()) return;  // finished: `this` is recycled
    if (!inline_done_) {
      running_ = false;
      return;
    }
  }
}

void DiskOp::use_cmd_buffer(uint64_t offset, uint64_t len) noexcept {
  iov_.clear();
  const IoVec* v = nullptr;
  uint32_t n = cmd->iov(&v);
  for (uint32_t i = 0; i < n && len > 0; ++i) {
    if (offset >= v[i].len) {
      offset -= v[i].len;
      continue;
    }
    uint64_t k = std::min(v[i].len - offset, len);
    iov_.push_back(iovec{v[i].base + offset, size_t(k)});
    len -= k;
    offset = 0;
  }
}

void DiskOp::use_scratch(uint64_t len) noexcept {
  iov_.clear();
  iov_.push_back(iovec{scratch.data(), size_t(len)});
}

void DiskOp::submit(IoKind k, uint64_t offset) noexcept {
  req_ = IoRequest{};
  req_.kind = k;
  req_.sync = sync;
  req_.iov = iov_.data();
  req_.iovcnt = int(iov_.size());
  req_.offset = offset;
  for (const iovec& v : iov_) req_.length += v.iov_len;
  req_.cb = this;
  dev->backend()->submit(&req_);
}

bool DiskOp::finish(ScsiStatus status, const SenseInfo* sense) noexcept {
  IDeviceCommand* c = cmd;
  if (locked_) dev->range_lock().release(&lock_);
  recycle();
  c->complete(status, sense);
  return false;
}

bool DiskOp::finish_error(int64_t err, bool write) noexcept {
  SenseInfo s;
  if (write && (err == -ENOSPC || err == -EDQUOT)) {
    // SBC-3 4.7.3.7: thin provisioning ran out of space.
    s = sense::make(SenseKey::data_protect, 0x27, 0x07);
  } else {
    s = write ? sense::write_error() : sense::unrecovered_read_error();
    s.flags |= SenseFlags::info_valid;
    s.information = lba + (progress_ / dev->block_size());
  }
  logf(dev->host(), LogLevel::error, "%s at LBA %llu failed: %s", write ? "write" : "read",
       static_cast<unsigned long long>(lba), std::strerror(int(-err)));
  return finish(ScsiStatus::check_condition, &s);
}

// Returns the offset of the first differing byte, or -1.
int64_t first_difference(const uint8_t* a, const uint8_t* b, uint64_t len) noexcept {
  if (std::memcmp(a, b, len) == 0) return -1;
  for (uint64_t i = 0; i < len; ++i)
    if (a[i] != b[i]) return int64_t(i);
  return -1;
}

bool DiskOp::step() noexcept {
  const uint32_t bs = dev->block_size();
  const uint64_t base = lba * bs;
  switch (kind) {
    case OpKind::read:
      if (state_ == 0) {
        use_cmd_buffer(0, bytes);
        state_ = 1;
        submit(IoKind::read, base);
        return true;
      }
      if (res_ < 0) return finish_error(res_, false);
      cmd->set_transfer_length(uint32_t(bytes));
      return finish(ScsiStatus::good);

    case OpKind::write:
      if (state_ == 0) {
        use_cmd_buffer(0, bytes);
        state_ = 1;
        submit(IoKind::write, base);
        return true;
      }
      if (res_ < 0) return finish_error(res_, true);
      return finish(ScsiStatus::good);

    case OpKind::flush:
      if (state_ == 0) {
        iov_.clear();
        state_ = 1;
        submit(IoKind::flush, 0);
        return true;
      }
      if (res_ < 0) return finish_error(res_, true);
      return finish(ScsiStatus::good);

    case OpKind::verify: {
      // scratch holds [one Data-Out block (BYTCHK 11b)] followed by the chunk read.
      uint64_t pat = bytchk == 3 ? bs : 0;
      if (state_ == 1) {
        if (res_ < 0) return finish_error(res_, false);
        const uint8_t* got = scratch.data() + pat;
        if (bytchk == 1) {
          // Compare against the Data-Out buffer, piecewise.
          uint8_t tmp[4096];
          for (uint64_t off = 0; off < chunk_; off += sizeof tmp) {
            uint64_t k = std::min<uint64_t>(sizeof tmp, chunk_ - off);
            copy_from_cmd(cmd, progress_ + off, tmp, k);
            int64_t d = first_difference(tmp, got + off, k);
            if (d >= 0) {
              SenseInfo s = sense::miscompare(progress_ + off + uint64_t(d));
              return finish(ScsiStatus::check_condition, &s);
            }
          }
        } else if (bytchk == 3) {
          for (uint64_t off = 0; off < chunk_; off += bs) {
            int64_t d = first_difference(scratch.data(), got + off, bs);
            if (d >= 0) {
              SenseInfo s = sense::miscompare(progress_ + off + uint64_t(d));
              return finish(ScsiStatus::check_condition, &s);
            }
          }
        }
        progress_ += chunk_;
      }
      if (cmd->aborted()) return finish(ScsiStatus::task_aborted);
      if (progress_ >= bytes) return finish(ScsiStatus::good);
      chunk_ = std::min<uint64_t>(DiskLimits::kChunkBytes, bytes - progress_);
      scratch.resize(pat + chunk_);
      iov_.clear();
      iov_.push_back(iovec{scratch.data() + pat, size_t(chunk_)});
      state_ = 1;
      submit(IoKind::read, base + progress_);
      return true;
    }

    case OpKind::compare_and_write: {
      uint64_t half = nblocks * bs;
      if (state_ == 0) {
        scratch.resize(half);
        use_scratch(half);
        state_ = 1;
        submit(IoKind::read, base);
        return true;
      }
      if (state_ == 1) {
        if (res_ < 0) return finish_error(res_, false);
        uint8_t tmp[4096];
        for (uint64_t off = 0; off < half; off += sizeof tmp) {
          uint64_t k = std::min<uint64_t>(sizeof tmp, half - off);
          copy_from_cmd(cmd, off, tmp, k);
          int64_t d = first_difference(tmp, scratch.data() + off, k);
          if (d >= 0) {
            // SBC-3 5.2: MISCOMPARE DURING VERIFY OPERATION, INFORMATION =
            // offset of the first differing byte in the verify data.
            SenseInfo s = sense::miscompare(off + uint64_t(d));
            return finish(ScsiStatus::check_condition, &s);
          }
        }
        use_cmd_buffer(half, half);
        state_ = 2;
        submit(IoKind::write, base);
        return true;
      }
      if (res_ < 0) return finish_error(res_, true);
      return finish(ScsiStatus::good);
    }

    case OpKind::or_write: {
      // Read the blocks, OR the Data-Out into them, write them back; the
      // range lock keeps the read-modify-write atomic against other writers.
      if (state_ == 0) {
        scratch.resize(bytes);
        use_scratch(bytes);
        state_ = 1;
        submit(IoKind::read, base);
        return true;
      }
      if (state_ == 1) {
        if (res_ < 0) return finish_error(res_, false);
        uint8_t tmp[4096];
        for (uint64_t off = 0; off < bytes; off += sizeof tmp) {
          uint64_t k = std::min<uint64_t>(sizeof tmp, bytes - off);
          copy_from_cmd(cmd, off, tmp, k);
          for (uint64_t i = 0; i < k; ++i) scratch[off + i] |= tmp[i];
        }
        use_scratch(bytes);
        state_ = 2;
        submit(IoKind::write, base);
        return true;
      }
      if (res_ < 0) return finish_error(res_, true);
      return finish(ScsiStatus::good);
    }

    case OpKind::write_same: {
      if (state_ == 0) {
        // scratch holds one block; repeat it to fill a chunk.
        uint64_t chunk_blocks = std::min<uint64_t>(nblocks, DiskLimits::kChunkBytes / bs);
        scratch.resize(chunk_blocks * bs);
        for (uint64_t b = 1; b < chunk_blocks; ++b)
          std::memcpy(scratch.data() + b * bs, scratch.data(), bs);
      } else {
        if (res_ < 0) return finish_error(res_, true);
        progress_ += chunk_;
      }
      if (cmd->aborted()) return finish(ScsiStatus::task_aborted);
      if (progress_ >= bytes) return finish(ScsiStatus::good);
      chunk_ = std::min<uint64_t>(scratch.size(), bytes - progress_);
      use_scratch(chunk_);
      state_ = 1;
      submit(IoKind::write, base + progress_);
      return true;
    }

    case OpKind::unmap:
      for (const auto& [elba, count] : extents) {
        int r = dev->backend()->deallocate(elba * bs, count * bs);
        // Deallocation is advisory (SBC-3 5.28: an LBA "may remain mapped").
        if (r < 0 && r != -EOPNOTSUPP && r != -ENOTSUP) {
          progress_ = (elba - lba) * bs;
          return finish_error(r, true);
        }
      }
      return finish(ScsiStatus::good);
  }
  return finish(ScsiStatus::good);
}

SenseInfo not_ready_initializing_command_required() noexcept {
  // SBC-3 4.18 / SPC-4: after START STOP UNIT with START=0.
  return sense::make(SenseKey::not_ready, 0x04, 0x02);
}

bool out_of_range(uint64_t lba, uint64_t n, uint64_t cap) noexcept {
  return lba > cap || n > cap - lba;
}

}  // namespace

void DiskDevice::execute(IDeviceCommand* cmd) noexcept {
  ConstByteSpan cdb = cmd->cdb();
  if (!cdb.data || cdb.size < 6) return fail(cmd, sense::invalid_opcode());
  const uint8_t* c = cdb.data;
  const uint8_t opc = c[0];
  auto need = [&](size_t len) { return cdb.size >= len; };

  // Commands that work while the LU is stopped.
  switch (opc) {
    case op::kStartStopUnit:
      return start_stop_unit(cmd);
    case op::kReadCapacity10:
      if (!need(10)) break;
      return read_capacity10(cmd);
    case op::kServiceActionIn16:
      if (!need(16)) break;
      if ((c[1] & 0x1F) == op::kSaReadCapacity16) return read_capacity16(cmd);
      if ((c[1] & 0x1F) != op::kSaGetLbaStatus) return fail(cmd, sense::invalid_field_in_cdb(1, 4));
      break;
    default:
      break;
  }
  if (!started()) return fail(cmd, not_ready_initializing_command_required());

  uint64_t lba = 0, n = 0;
  bool fua = false, is_write = false, wav = false;
  uint8_t len_field = 0;  // CDB byte of the length field, for field pointers
  switch (opc) {
    case op::kRead6:
    case op::kWrite6:
      lba = get_be24(c + 1) & 0x1FFFFF;
      n = c[4] ? c[4] : 256;
      len_field = 4;
      is_write = opc == op::kWrite6;
      break;
    case op::kRead10:
    case op::kWrite10:
    case op::kWriteAndVerify10:
      if (!need(10)) return fail(cmd, sense::invalid_opcode());
      lba = get_be32(c + 2);
      n = get_be16(c + 7);
      len_field = 7;
      is_write = opc != op::kRead10;
      wav = opc == op::kWriteAndVerify10;
      fua = c[1] & 0x08;
      break;
    case op::kRead12:
    case op::kWrite12:
    case op::kWriteAndVerify12:
      if (!need(12)) return fail(cmd, sense::invalid_opcode());
      lba = get_be32(c + 2);
      n = get_be32(c + 6);
      len_field = 6;
      is_write = opc != op::kRead12;
      wav = opc == op::kWriteAndVerify12;
      fua = c[1] & 0x08;
      break;
    case op::kRead16:
    case op::kWrite16:
    case op::kWriteAndVerify16:
    case op::kOrWrite16:
      if (!need(16)) return fail(cmd, sense::invalid_opcode());
      lba = get_be64(c + 2);
      n = get_be32(c + 10);
      len_field = 10;
      is_write = opc != op::kRead16;
      wav = opc == op::kWriteAndVerify16;
      fua = c[1] & 0x08;
      break;
    case op::kVerify10:
    case op::kVerify12:
    case op::kVerify16: {
      const VerifyFields f = verify_fields(c, cdb.size);
      if (!need(f.cdb_length)) return fail(cmd, sense::invalid_opcode());
      lba = f.lba;
      n = f.blocks;
      uint8_t bytchk = (c[1] >> 1) & 3;
      if (bytchk == 2) return fail(cmd, sense::invalid_field_in_cdb(1, 2));
      if (out_of_range(lba, n, num_blocks_)) return fail(cmd, sense::lba_out_of_range());
      if (n == 0) return cmd->complete(ScsiStatus::good, nullptr);
      uint64_t need_out = bytchk == 1 ? n * block_size_ : bytchk == 3 ? block_size_ : 0;
      if (bytchk == 1 && n > max_transfer_blocks())
        return fail(cmd, sense::invalid_field_in_cdb(f.len_field));
      if (cmd->data_length() < need_out) return fail(cmd, sense::invalid_field_in_cdb(f.len_field));
      DiskOp* o = DiskOp::get(this, cmd, OpKind::verify);
      if (!o) return fail(cmd, sense::internal_target_failure());
      o->lba = lba;
      o->nblocks = n;
      o->bytes = n * block_size_;
      o->bytchk = bytchk;
      if (bytchk == 3) {
        o->scratch.resize(block_size_);
        copy_from_cmd(cmd, 0, o->scratch.data(), block_size_);
      }
      return o->start(false);
    }
    case op::kCompareAndWrite: {
      if (!need(16)) return fail(cmd, sense::invalid_opcode());
      lba = get_be64(c + 2);
      n = c[13];
      if (read_only_) return fail(cmd, sense::write_protected());
      uint32_t max_caw =
          std::min<uint32_t>(DiskLimits::kMaxCompareAndWriteBlocks, max_transfer_blocks() / 2);
      if (n > max_caw) return fail(cmd, sense::invalid_field_in_cdb(13));
      if (out_of_range(lba, n, num_blocks_)) return fail(cmd, sense::lba_out_of_range());
      if (n == 0) return cmd->complete(ScsiStatus::good, nullptr);
      if (cmd->data_length() < 2 * n * block_size_)
        return fail(cmd, sense::invalid_field_in_cdb(13));
      DiskOp* o = DiskOp::get(this, cmd, OpKind::compare_and_write);
      if (!o) return fail(cmd, sense::internal_target_failure());
      o->lba = lba;
      o->nblocks = n;
      o->sync = (c[1] & 0x08) || !write_cache();
      return o->start(true);
    }
    case op::kWriteSame10:
    case op::kWriteSame16: {
      bool is16 = opc == op::kWriteSame16;
      if (!need(is16 ? 16 : 10)) return fail(cmd, sense::invalid_opcode());
      lba = is16 ? get_be64(c + 2) : get_be32(c + 2);
      n = is16 ? get_be32(c + 10) : get_be16(c + 7);
      len_field = is16 ? 10 : 7;
      bool anchor = c[1] & 0x10, unmap_bit = c[1] & 0x08, ndob = is16 && (c[1] & 0x01);
      if (anchor) return fail(cmd, sense::invalid_field_in_cdb(1, 4));  // ANC_SUP = 0
      if (read_only_) return fail(cmd, sense::write_protected());
      // WSNZ=1 in the Block Limits page: zero blocks is not "to the end".
      if (n == 0 || n > max_write_same_blocks())
        return fail(cmd, sense::invalid_field_in_cdb(len_field));
      if (out_of_range(lba, n, num_blocks_)) return fail(cmd, sense::lba_out_of_range());
      if (!ndob && cmd->data_length() < block_size_)
        return fail(cmd, sense::invalid_field_in_cdb(len_field));
      DiskOp* o = DiskOp::get(this, cmd, OpKind::write_same);
      if (!o) return fail(cmd, sense::internal_target_failure());
      o->lba = lba;
      o->nblocks = n;
      o->bytes = n * block_size_;
      o->sync = !write_cache();
      o->scratch.assign(block_size_, 0);
      if (!ndob) copy_from_cmd(cmd, 0, o->scratch.data(), block_size_);
      bool zero = std::all_of(o->scratch.begin(), o->scratch.end(), [](uint8_t b) { return !b; });
      // SBC-3 4.7.3.4: with UNMAP=1 the blocks may be deallocated when they
      // then read back as the requested (zero) data.
      if (unmap_bit && thin_ && zero && backend_->deallocated_reads_zero()) {
        o->kind = OpKind::unmap;
        o->extents.emplace_back(lba, n);
      }
      return o->start(true);
    }
    case op::kUnmap:
      if (!need(10)) return fail(cmd, sense::invalid_opcode());
      return unmap(cmd);
    case op::kSyncCache10:
    case op::kSyncCache16: {
      bool is16 = opc == op::kSyncCache16;
      if (!need(is16 ? 16 : 10)) return fail(cmd, sense::invalid_opcode());
      lba = is16 ? get_be64(c + 2) : get_be32(c + 2);
      n = is16 ? get_be32(c + 10) : get_be16(c + 7);
      if (out_of_range(lba, n, num_blocks_)) return fail(cmd, sense::lba_out_of_range());
      if (read_only_) return cmd->complete(ScsiStatus::good, nullptr);
      DiskOp* o = DiskOp::get(this, cmd, OpKind::flush);
      if (!o) return fail(cmd, sense::internal_target_failure());
      o->lba = lba;
      return o->start(false);
    }
    case op::kPreFetch10:
    case op::kPreFetch16:
      if (!need(opc == op::kPreFetch16 ? 16 : 10)) return fail(cmd, sense::invalid_opcode());
      return pre_fetch(cmd);
    case op::kServiceActionIn16:
      return get_lba_status(cmd);  // the SA was checked above
    case op::kReadDefectData10:
    case op::kReadDefectData12:
      if (!need(opc == op::kReadDefectData12 ? 12 : 10)) return fail(cmd, sense::invalid_opcode());
      return read_defect_data(cmd);
    default:
      return fail(cmd, sense::invalid_opcode());
  }

  // READ / WRITE / WRITE AND VERIFY (6/10/12/16), ORWRITE(16).
  if (is_write && read_only_) return fail(cmd, sense::write_protected());
  if (n > max_transfer_blocks()) return fail(cmd, sense::invalid_field_in_cdb(len_field));
  if (out_of_range(lba, n, num_blocks_)) return fail(cmd, sense::lba_out_of_range());
  uint64_t bytes = n * block_size_;
  uint64_t have = cmd->data_length();
  // A Data-Out shorter than the CDB asks for (iSCSI EDTL < transfer length)
  // writes only the whole blocks that arrived; the core reports the residual.
  bytes = is_write ? std::min(bytes, have / block_size_ * block_size_) : std::min(bytes, have);
  if (bytes == 0) {
    cmd->set_transfer_length(0);
    return cmd->complete(ScsiStatus::good, nullptr);
  }
  OpKind kind = opc == op::kOrWrite16 ? OpKind::or_write : is_write ? OpKind::write : OpKind::read;
  DiskOp* o = DiskOp::get(this, cmd, kind);
  if (!o) return fail(cmd, sense::internal_target_failure());
  o->lba = lba;
  o->nblocks = (bytes + block_size_ - 1) / block_size_;
  o->bytes = bytes;
  // FUA, WRITE AND VERIFY and WCE=0 all need the data on stable storage.
  o->sync = is_write && (fua || wav || !write_cache());
  o->start(is_write);
}

void DiskDevice::unmap(IDeviceCommand* cmd) noexcept {
  const uint8_t* c = cmd->cdb().data;
  if (read_only_) return fail(cmd, sense::write_protected());
  if (c[1] & 0x01) return fail(cmd, sense::invalid_field_in_cdb(1, 0));  // ANCHOR, ANC_SUP=0
  uint32_t plen = get_be16(c + 7);
  if (plen == 0) return cmd->complete(ScsiStatus::good, nullptr);
  // SBC-3 5.28.1: a parameter list shorter than its 8-byte header.
  if (plen < 8) return fail(cmd, sense::param_list_length_error());
  uint32_t have = std::min<uint32_t>(plen, cmd->data_length());
  if (have < 8) return fail(cmd, sense::param_list_length_error());
  uint8_t hdr[8];
  copy_from_cmd(cmd, 0, hdr, 8);
  uint32_t udl = get_be16(hdr), bddl = get_be16(hdr + 2);
  // The lengths in the header must fit in what was transferred.
  if (udl > have - 2) return fail(cmd, sense::invalid_field_in_param(0));
  if (bddl > have - 8) return fail(cmd, sense::invalid_field_in_param(2));
  uint32_t count = bddl / 16;  // an incomplete last descriptor is ignored (5.28.2)
  if (count > DiskLimits::kMaxUnmapDescriptors) return fail(cmd, sense::invalid_field_in_param(2));
  // Validate every descriptor before deallocating anything.
  std::vector<std::pair<uint64_t, uint64_t>> extents;
  uint64_t total = 0, lo = UINT64_MAX, hi = 0;
  for (uint32_t i = 0; i < count; ++i) {
    uint8_t d[16];
    copy_from_cmd(cmd, 8 + 16 * uint64_t(i), d, 16);
    uint64_t lba = get_be64(d);
    uint64_t n = get_be32(d + 8);
    if (out_of_range(lba, n, num_blocks_)) return fail(cmd, sense::lba_out_of_range());
    total += n;
    // SBC-3 5.28.2: beyond MAXIMUM UNMAP LBA COUNT of the Block Limits page.
    if (total > max_unmap_blocks())
      return fail(cmd, sense::invalid_field_in_param(uint16_t(8 + 16 * i + 8)));
    if (n == 0) continue;
    lo = std::min(lo, lba);
    hi = std::max(hi, lba + n);
    try {
      extents.emplace_back(lba, n);
    } catch (...) {
      return fail(cmd, sense::internal_target_failure());
    }
  }
  if (extents.empty()) return cmd->complete(ScsiStatus::good, nullptr);
  DiskOp* o = DiskOp::get(this, cmd, OpKind::unmap);
  if (!o) return fail(cmd, sense::internal_target_failure());
  o->extents.swap(extents);
  o->lba = lo;
  o->nblocks = hi - lo;
  o->start(true);
}

}  // namespace nexus::disk
