// Tape motion and data transfer: READ(6), WRITE(6), WRITE FILEMARKS, SPACE,
// LOCATE, REWIND, ERASE, READ POSITION, LOAD UNLOAD, PREVENT ALLOW MEDIUM
// REMOVAL. Position pos_ is the logical object identifier (SSC-3 4.2.4):
// blocks and filemarks before it; pos_ == object_count() is end-of-data.
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "nexus/bytes.hpp"
#include "nexus/log.hpp"
#include "nexus/sense.hpp"
#include "tape_device.h"
#include "tape_opcodes.h"

namespace nexus::tape {
namespace {

int64_t sign_extend24(uint32_t v) { return (v & 0x800000u) ? int64_t(v) - 0x1000000 : int64_t(v); }

}  // namespace

Outcome TapeDevice::media_error(int err, bool write, uint64_t residue, bool residue_valid) {
  logf(host_, LogLevel::error, "tape %s: %s %s failed: %s", identity_.serial.c_str(),
       write ? "writing" : "reading", path_.c_str(), std::strerror(-err));
  SenseInfo s = write ? sense::write_error() : sense::unrecovered_read_error();
  if (residue_valid) {
    s.flags |= SenseFlags::info_valid;
    s.information = residue;
  }
  return Outcome::check(s);
}

// SSC-3 6.4 READ(6).
Outcome TapeDevice::read6(IDeviceCommand* cmd) {
  const uint8_t* c = cmd->cdb().data;
  const bool fixed = c[1] & 0x01, sili = c[1] & 0x02;
  const uint32_t n = get_be24(c + 2);
  const uint32_t bs = block_size_;
  if (fixed && sili) return Outcome::check(sense::invalid_field_in_cdb(1, 1));
  if (fixed && bs == 0) return Outcome::check(sense::invalid_field_in_cdb(1, 0));
  if (n == 0) return Outcome::good();  // no data, no motion
  const uint64_t buf = cmd->data_length();
  if (fixed) {
    if (buf < uint64_t(n) * bs) return Outcome::check(sense::invalid_field_in_cdb(2));
    for (uint32_t i = 0; i < n; ++i) {
      const uint64_t done = uint64_t(i) * bs;
      // INFORMATION: requested minus blocks read, the odd one not counted.
      if (pos_ == media_->object_count())
        return Outcome::check(tsense::end_of_data(n - i)).bytes(uint32_t(done));
      if (media_->is_filemark(pos_)) {
        ++pos_;  // positioned after the filemark (EOP side)
        return Outcome::check(tsense::filemark(n - i)).bytes(uint32_t(done));
      }
      const uint32_t len = media_->block_length(pos_);
      int r = media_->read_block(pos_, cmd_slice(cmd, done, bs), bs);
      if (r < 0) return media_error(r, false, n - i, true).bytes(uint32_t(done));
      ++pos_;
      if (len != bs) {
        return Outcome::check(tsense::incorrect_length(int64_t(n) - i))
            .bytes(uint32_t(done + std::min(len, bs)));
      }
    }
    return Outcome::good().bytes(uint32_t(uint64_t(n) * bs));
  }
  // Variable: one block of at most n bytes.
  if (pos_ == media_->object_count()) return Outcome::check(tsense::end_of_data(n)).bytes(0);
  if (media_->is_filemark(pos_)) {
    ++pos_;
    return Outcome::check(tsense::filemark(n)).bytes(0);
  }
  const uint32_t len = media_->block_length(pos_);
  const uint32_t k = uint32_t(std::min<uint64_t>({uint64_t(len), uint64_t(n), buf}));
  int r = media_->read_block(pos_, cmd_slice(cmd, 0, k), k);
  if (r < 0) return media_error(r, false, n, true).bytes(0);
  ++pos_;
  if (len == n) return Outcome::good().bytes(k);
  // SILI suppresses underlength always, overlength only in variable-block
  // mode (SSC-3 6.4).
  if (sili && (len < n || bs == 0)) return Outcome::good().bytes(k);
  return Outcome::check(tsense::incorrect_length(int64_t(n) - int64_t(len))).bytes(k);
}

// SSC-3 6.9 WRITE(6).
Outcome TapeDevice::write6(IDeviceCommand* cmd) {
  const uint8_t* c = cmd->cdb().data;
  const bool fixed = c[1] & 0x01;
  const uint32_t n = get_be24(c + 2);
  const uint32_t bs = block_size_;
  if (fixed && bs == 0) return Outcome::check(sense::invalid_field_in_cdb(1, 0));
  if (n == 0) return Outcome::good();
  if (write_protect_) return Outcome::check(sense::write_protected());
  const uint32_t len = fixed ? bs : n;
  const uint32_t count = fixed ? n : 1;
  if (!fixed && (len < opts_.min_block_length || len > opts_.max_block_length))
    return Outcome::check(sense::invalid_field_in_cdb(2));
  if (cmd->data_length() < uint64_t(count) * len)
    return Outcome::check(sense::invalid_field_in_cdb(2));
  // Writing anywhere but at EOD discards everything after (SSC-3 4.2.2).
  if (int r = media_->truncate(pos_); r < 0) return media_error(r, true, 0, false);
  for (uint32_t i = 0; i < count; ++i) {
    const uint64_t residue = fixed ? count - i : n;
    if (!media_->fits(len)) return Outcome::check(tsense::volume_overflow(residue));
    int r = media_->append_block(cmd_slice(cmd, uint64_t(i) * len, len), len);
    if (r < 0) return media_error(r, true, residue, true);
    ++pos_;
  }
  // Past early warning the data is written, with a warning (SSC-3 4.2.3).
  if (media_->past_early_warning(pos_)) return Outcome::check(tsense::early_warning(0));
  return Outcome::good();
}

// SSC-3 6.10 WRITE FILEMARKS(6); a count of 0 only flushes.
Outcome TapeDevice::write_filemarks(IDeviceCommand* cmd) {
  const uint8_t* c = cmd->cdb().data;
  const uint32_t n = get_be24(c + 2);
  if (write_protect_) return Outcome::check(sense::write_protected());
  if (n > 0) {
    if (int r = media_->truncate(pos_); r < 0) return media_error(r, true, 0, false);
    for (uint32_t i = 0; i < n; ++i) {
      if (!media_->fits(0)) return Outcome::check(tsense::volume_overflow(n - i));
      int r = media_->append_filemark();
      if (r < 0) return media_error(r, true, n - i, true);
      ++pos_;
    }
  }
  if (int r = media_->sync(); r < 0) return media_error(r, true, 0, false);
  if (n > 0 && media_->past_early_warning(pos_))
    return Outcome::check(tsense::early_warning(0));
  return Outcome::good();
}

// SSC-3 6.7 / 6.8 SPACE(16) / SPACE(6).
Outcome TapeDevice::space(IDeviceCommand* cmd) {
  const uint8_t* c = cmd->cdb().data;
  const uint8_t code = c[1] & 0x0F;
  const int64_t count = c[0] == op::kSpace6 ? sign_extend24(get_be24(c + 2))
                                            : int64_t(get_be64(c + 4));
  const uint64_t eod = media_->object_count();
  // Magnitude without overflow for INT64_MIN.
  const uint64_t want = count < 0 ? uint64_t(0) - uint64_t(count) : uint64_t(count);
  switch (code) {
    case 0x0: {  // logical blocks
      if (count == 0) return Outcome::good();
      if (count > 0) {
        uint64_t fm_before = media_->filemarks_before(pos_);
        uint64_t next_fm = fm_before < media_->filemark_count() ? media_->filemark_at(fm_before)
                                                                 : eod;
        uint64_t limit = std::min(next_fm, eod);
        if (limit - pos_ >= want) {
          pos_ += want;
          return Outcome::good();
        }
        uint64_t spaced = limit - pos_;
        if (next_fm < eod) {
          pos_ = next_fm + 1;  // EOP side of the filemark
          return Outcome::check(tsense::filemark(want - spaced));
        }
        pos_ = eod;
        return Outcome::check(tsense::end_of_data(want - spaced));
      }
      uint64_t fm_before = media_->filemarks_before(pos_);
      uint64_t floor = fm_before ? media_->filemark_at(fm_before - 1) + 1 : 0;
      if (pos_ - floor >= want) {
        pos_ -= want;
        return Outcome::good();
      }
      uint64_t spaced = pos_ - floor;
      if (fm_before) {
        pos_ = floor - 1;  // BOP side of the filemark
        return Outcome::check(tsense::filemark(want - spaced));
      }
      pos_ = 0;
      return Outcome::check(tsense::beginning(want - spaced));
    }
    case 0x1: {  // filemarks
      if (count == 0) return Outcome::good();
      uint64_t before = media_->filemarks_before(pos_);
      if (count > 0) {
        uint64_t ahead = media_->filemark_count() - before;
        if (ahead >= want) {
          pos_ = media_->filemark_at(before + want - 1) + 1;
          return Outcome::good();
        }
        pos_ = eod;
        return Outcome::check(tsense::end_of_data(want - ahead));
      }
      if (before >= want) {
        pos_ = media_->filemark_at(before - want);
        return Outcome::good();
      }
      pos_ = 0;
      return Outcome::check(tsense::beginning(want - before));
    }
    case 0x2: {  // sequential filemarks: the first run of `count` in a row
      if (count == 0) return Outcome::good();
      const uint64_t nfm = media_->filemark_count();
      auto run_at = [&](uint64_t k) {  // filemarks k..k+want-1 adjacent?
        return media_->filemark_at(k + want - 1) - media_->filemark_at(k) == want - 1;
      };
      uint64_t before = media_->filemarks_before(pos_);
      if (count > 0) {
        for (uint64_t k = before; want <= nfm && k + want <= nfm; ++k) {
          if (run_at(k)) {
            pos_ = media_->filemark_at(k + want - 1) + 1;
            return Outcome::good();
          }
        }
        pos_ = eod;
        return Outcome::check(sense::make(SenseKey::blank_check, 0x00, 0x05));
      }
      for (uint64_t k = before; k >= want; --k) {
        if (run_at(k - want)) {
          pos_ = media_->filemark_at(k - want);
          return Outcome::good();
        }
      }
      pos_ = 0;
      SenseInfo s = sense::make(SenseKey::no_sense, 0x00, 0x04);
      s.flags |= SenseFlags::eom;
      return Outcome::check(s);
    }
    case 0x3:  // end-of-data
      pos_ = eod;
      return Outcome::good();
    default:  // setmarks (4h, 5h) are not supported; others reserved
      return Outcome::check(sense::invalid_field_in_cdb(1, 3));
  }
}

// SSC-3 7.4 LOCATE(10) / LOCATE(16).
Outcome TapeDevice::locate(IDeviceCommand* cmd) {
  const uint8_t* c = cmd->cdb().data;
  const bool cp = c[1] & 0x02;
  uint64_t target;
  uint8_t dest_type = 0;
  uint8_t partition;
  if (c[0] == op::kLocate10) {
    target = get_be32(c + 3);
    partition = c[8];
  } else {
    dest_type = (c[1] >> 3) & 0x07;
    partition = c[3];
    target = get_be64(c + 4);
  }
  if (cp && partition != 0)  // one partition (Medium Partition page)
    return Outcome::check(sense::invalid_field_in_cdb(c[0] == op::kLocate10 ? 8 : 3));
  const uint64_t eod = media_->object_count();
  switch (dest_type) {
    case 0x0:  // logical object identifier
      break;
    case 0x1:  // logical file identifier: the object after filemark `target`
      if (target == 0) {
        target = 0;
      } else if (target <= media_->filemark_count()) {
        target = media_->filemark_at(target - 1) + 1;
      } else {
        pos_ = eod;
        return Outcome::check(sense::make(SenseKey::blank_check, 0x00, 0x05));
      }
      break;
    case 0x3:  // end-of-data
      target = eod;
      break;
    default:
      return Outcome::check(sense::invalid_field_in_cdb(1, 5));
  }
  if (target > eod) {
    pos_ = eod;
    return Outcome::check(sense::make(SenseKey::blank_check, 0x00, 0x05));
  }
  pos_ = target;
  return Outcome::good();
}

// SSC-3 7.6 REWIND (completes the same with or without IMMED).
Outcome TapeDevice::rewind(IDeviceCommand*) {
  if (!sync_media()) return Outcome::check(sense::write_error());
  pos_ = 0;
  return Outcome::good();
}

// SSC-3 6.2 ERASE(6): short (LONG=0) writes EOD here; long erases to the
// end of the partition. Both leave EOD at the current position.
Outcome TapeDevice::erase(IDeviceCommand*) {
  if (write_protect_) return Outcome::check(sense::write_protected());
  if (int r = media_->truncate(pos_); r < 0) return media_error(r, true, 0, false);
  if (int r = media_->sync(); r < 0) return media_error(r, true, 0, false);
  return Outcome::good();
}

// SSC-3 7.7 READ POSITION: short (00h, 01h), long (06h), extended (08h).
// Nothing is buffered: first and last object locations are the position.
Outcome TapeDevice::read_position(IDeviceCommand* cmd) {
  const uint8_t* c = cmd->cdb().data;
  const uint8_t sa = c[1] & 0x1F;
  uint8_t d[32] = {};
  const bool bop = pos_ == 0;
  const bool eop = media_->past_early_warning(pos_);
  size_t len;
  switch (sa) {
    case op::kRpShort:
    case op::kRpShortVendor: {
      bool big = pos_ > 0xFFFFFFFFull;
      // BOP, EOP; LOCU=0 (object count valid), BYCU=0 (byte count valid),
      // LOLU when the location does not fit 32 bits.
      d[0] = uint8_t((bop ? 0x80 : 0) | (eop ? 0x40 : 0) | (big ? 0x04 : 0));
      d[1] = 0;  // partition
      uint32_t p32 = big ? 0 : uint32_t(pos_);
      put_be32(d + 4, p32);
      put_be32(d + 8, p32);
      len = 20;
      break;
    }
    case op::kRpLong:
      d[0] = uint8_t((bop ? 0x80 : 0) | (eop ? 0x40 : 0));  // MPU=0, LONU=0
      put_be32(d + 4, 0);  // partition
      put_be64(d + 8, pos_);
      put_be64(d + 16, media_->filemarks_before(pos_));
      len = 32;
      break;
    case op::kRpExtended:
      d[0] = uint8_t((bop ? 0x80 : 0) | (eop ? 0x40 : 0));
      put_be16(d + 2, 0x1C);
      put_be64(d + 8, pos_);
      put_be64(d + 16, pos_);
      len = std::min<size_t>(32, get_be16(c + 7));
      break;
    default:
      return Outcome::check(sense::invalid_field_in_cdb(1, 4));
  }
  return Outcome::good().bytes(uint32_t(copy_to_command(cmd, std::span(d, len))));
}

// SSC-3 7.2 LOAD UNLOAD. LOAD=0 leaves the cartridge unloaded (ready for a
// changer to take); LOAD=1 threads it again at BOP.
Outcome TapeDevice::load_unload(IDeviceCommand* cmd) {
  const uint8_t* c = cmd->cdb().data;
  const bool load = c[4] & 0x01, eot = c[4] & 0x04;
  if (load && eot) return Outcome::check(sense::invalid_field_in_cdb(4, 2));
  if (!media_) return Outcome::check(sense::medium_not_present());
  if (load) {
    if (state_ == MediumState::loaded && !sync_media())
      return Outcome::check(sense::write_error());
    state_ = MediumState::loaded;
    pos_ = 0;
    return Outcome::good();
  }
  if (!prevent_.empty()) return Outcome::check(tsense::removal_prevented());
  if (!sync_media()) return Outcome::check(sense::write_error());
  pos_ = 0;
  state_ = MediumState::unloaded;
  logf(host_, LogLevel::info, "tape %s: unloaded %s", identity_.serial.c_str(), path_.c_str());
  return Outcome::good();
}

// SPC-4 6.13 PREVENT ALLOW MEDIUM REMOVAL, per I_T nexus.
Outcome TapeDevice::prevent_allow(IDeviceCommand* cmd) {
  const uint8_t prevent = cmd->cdb().data[4] & 0x03;
  if (prevent > 1) return Outcome::check(sense::invalid_field_in_cdb(4, 1));
  if (prevent)
    prevent_.insert(cmd->nexus_id());
  else
    prevent_.erase(cmd->nexus_id());
  return Outcome::good();
}

}  // namespace nexus::tape
