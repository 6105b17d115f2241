#include "tape_media.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "crc32c.h"

namespace nexus::tape {
namespace {

using F = MediaFormat;

void put_le32(uint8_t* p, uint32_t v) noexcept {
  for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i));
}
void put_le64(uint8_t* p, uint64_t v) noexcept {
  for (int i = 0; i < 8; ++i) p[i] = uint8_t(v >> (8 * i));
}
uint32_t get_le32(const uint8_t* p) noexcept {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
uint64_t get_le64(const uint8_t* p) noexcept {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Header slot layout (little endian), see docs/tape-media-format.md.
constexpr size_t kHMagic = 0, kHVersion = 8, kHSize = 12, kHGeneration = 16, kHCapacity = 24,
                 kHFlags = 32, kHDataOffset = 36, kHEpoch = 40, kHSyncedEnd = 48,
                 kHSyncedObjects = 56, kHDataBlocks = 64, kHFilemarks = 72, kHCreated = 80,
                 kHBarcode = 88, kHCrc = F::kHeaderSize - 4;
// Record header layout.
constexpr size_t kRMagic = 0, kRType = 4, kRObject = 8, kREpoch = 16, kRLength = 20,
                 kRDataCrc = 24, kRCrc = 28;

bool printable(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7E) return false;
  return true;
}

// Writes all of `iov` at `off`, continuing after short writes.
int pwritev_all(int fd, std::vector<iovec> iov, uint64_t off) noexcept {
  size_t first = 0;
  while (first < iov.size()) {
    int cnt = int(std::min<size_t>(iov.size() - first, IOV_MAX));
    ssize_t n = ::pwritev(fd, &iov[first], cnt, off_t(off));
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (n == 0) return -EIO;
    off += uint64_t(n);
    size_t left = size_t(n);
    while (first < iov.size() && left >= iov[first].iov_len) left -= iov[first++].iov_len;
    if (left) {
      iov[first].iov_base = static_cast<uint8_t*>(iov[first].iov_base) + left;
      iov[first].iov_len -= left;
    }
  }
  return 0;
}

int preadv_all(int fd, std::vector<iovec> iov, uint64_t off) noexcept {
  size_t first = 0;
  while (first < iov.size()) {
    int cnt = int(std::min<size_t>(iov.size() - first, IOV_MAX));
    ssize_t n = ::preadv(fd, &iov[first], cnt, off_t(off));
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (n == 0) return -EIO;  // the index promised these bytes
    off += uint64_t(n);
    size_t left = size_t(n);
    while (first < iov.size() && left >= iov[first].iov_len) left -= iov[first++].iov_len;
    if (left) {
      iov[first].iov_base = static_cast<uint8_t*>(iov[first].iov_base) + left;
      iov[first].iov_len -= left;
    }
  }
  return 0;
}

// The first `len` bytes of a scatter list.
std::vector<iovec> prefix(std::span<const iovec> src, uint64_t len) {
  std::vector<iovec> out;
  for (const iovec& v : src) {
    if (len == 0) break;
    size_t k = std::min<uint64_t>(v.iov_len, len);
    if (k) out.push_back(iovec{v.iov_base, k});
    len -= k;
  }
  return out;
}

uint32_t crc_of(const std::vector<iovec>& iov) noexcept {
  uint32_t c = 0;
  for (const iovec& v : iov) c = crc32c(c, v.iov_base, v.iov_len);
  return c;
}

int sync_fd(int fd) noexcept { return ::fdatasync(fd) < 0 ? -errno : 0; }

}  // namespace

TapeMedia::~TapeMedia() {
  if (fd_ >= 0) ::close(fd_);
}

uint64_t TapeMedia::early_warning_size() const noexcept {
  // "A few MiB" before the end, less on small test cartridges.
  return summary_.capacity >= (64u << 20) ? (4u << 20) : summary_.capacity / 16;
}

uint64_t TapeMedia::filemarks_before(uint64_t pos) const noexcept {
  return uint64_t(std::lower_bound(filemarks_.begin(), filemarks_.end(), pos) - filemarks_.begin());
}

uint64_t TapeMedia::bytes_before(uint64_t pos) const noexcept {
  return pos < objects_.size() ? objects_[pos].offset - F::kDataOffset : used_bytes();
}

bool TapeMedia::past_early_warning(uint64_t pos) const noexcept {
  return bytes_before(pos) >= summary_.capacity - early_warning_size();
}

bool TapeMedia::fits(uint64_t payload) const noexcept {
  return used_bytes() + F::kRecordHeaderSize + payload <= summary_.capacity;
}

void TapeMedia::encode_header(const Header& h, uint8_t* p) noexcept {
  std::memset(p, 0, F::kHeaderSize);
  std::memcpy(p + kHMagic, F::kMagic, sizeof F::kMagic);
  put_le32(p + kHVersion, F::kVersion);
  put_le32(p + kHSize, F::kHeaderSize);
  put_le64(p + kHGeneration, h.generation);
  put_le64(p + kHCapacity, h.capacity);
  put_le32(p + kHFlags, h.flags);
  put_le32(p + kHDataOffset, F::kDataOffset);
  put_le64(p + kHEpoch, h.epoch);
  put_le64(p + kHSyncedEnd, h.synced_end);
  put_le64(p + kHSyncedObjects, h.synced_objects);
  put_le64(p + kHDataBlocks, h.data_blocks);
  put_le64(p + kHFilemarks, h.filemarks);
  put_le64(p + kHCreated, h.created);
  std::memcpy(p + kHBarcode, h.barcode.data(), std::min(h.barcode.size(), F::kBarcodeSize));
  put_le32(p + kHCrc, crc32c(0, p, kHCrc));
}

bool TapeMedia::decode_header(const uint8_t* p, Header* h) noexcept {
  if (std::memcmp(p + kHMagic, F::kMagic, sizeof F::kMagic) != 0) return false;
  if (get_le32(p + kHCrc) != crc32c(0, p, kHCrc)) return false;
  if (get_le32(p + kHVersion) != F::kVersion || get_le32(p + kHSize) != F::kHeaderSize ||
      get_le32(p + kHDataOffset) != F::kDataOffset)
    return false;
  h->generation = get_le64(p + kHGeneration);
  h->capacity = get_le64(p + kHCapacity);
  h->flags = get_le32(p + kHFlags);
  h->epoch = get_le64(p + kHEpoch);
  h->synced_end = get_le64(p + kHSyncedEnd);
  h->synced_objects = get_le64(p + kHSyncedObjects);
  h->data_blocks = get_le64(p + kHDataBlocks);
  h->filemarks = get_le64(p + kHFilemarks);
  h->created = get_le64(p + kHCreated);
  const char* bc = reinterpret_cast<const char*>(p + kHBarcode);
  h->barcode.assign(bc, strnlen(bc, F::kBarcodeSize));
  return h->capacity >= F::kMinCapacity && h->epoch <= 0xFFFFFFFFu;
}

// Header updates alternate between the two slots, so a torn header write
// always leaves the previous one intact.
int TapeMedia::write_header() noexcept {
  uint8_t buf[F::kHeaderSize];
  ++hdr_.generation;
  encode_header(hdr_, buf);
  off_t off = off_t((hdr_.generation & 1) * F::kHeaderSize);
  if (::pwrite(fd_, buf, sizeof buf, off) != ssize_t(sizeof buf)) return errno ? -errno : -EIO;
  return sync_fd(fd_);
}

int TapeMedia::write_record_header(RecordType type, uint64_t object, uint32_t length, uint32_t crc,
                                   uint8_t* p) const noexcept {
  std::memset(p, 0, F::kRecordHeaderSize);
  put_le32(p + kRMagic, F::kRecordMagic);
  p[kRType] = uint8_t(type);
  put_le64(p + kRObject, object);
  put_le32(p + kREpoch, uint32_t(hdr_.epoch));
  put_le32(p + kRLength, length);
  put_le32(p + kRDataCrc, crc);
  put_le32(p + kRCrc, crc32c(0, p, kRCrc));
  return 0;
}

bool TapeMedia::create(const std::string& path, const MediaCreateParams& prm, std::string* error) {
  if (prm.barcode.empty() || prm.barcode.size() > F::kBarcodeSize || !printable(prm.barcode)) {
    *error = "barcode must be 1 to 32 printable ASCII characters";
    return false;
  }
  if (prm.capacity < F::kMinCapacity) {
    *error = "capacity must be at least 64K";
    return false;
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = path + ": " + std::strerror(errno);
    return false;
  }
  TapeMedia m;
  m.fd_ = fd;
  m.read_only_ = false;
  m.hdr_.capacity = prm.capacity;
  m.hdr_.flags = prm.write_protect ? F::kFlagWriteProtect : 0;
  m.hdr_.created = uint64_t(::time(nullptr));
  m.hdr_.barcode = prm.barcode;
  m.summary_.capacity = prm.capacity;
  uint8_t eod[F::kRecordHeaderSize];
  m.write_record_header(RecordType::eod, 0, 0, 0, eod);
  int r = ::ftruncate(fd, F::kDataOffset) < 0 ? -errno : 0;
  if (r == 0 && ::pwrite(fd, eod, sizeof eod, F::kDataOffset) != ssize_t(sizeof eod)) r = -EIO;
  if (r == 0) r = m.write_header();  // both slots: generations 1 and 2
  if (r == 0) r = m.write_header();
  if (r != 0) {
    *error = path + ": " + std::strerror(-r);
    ::unlink(path.c_str());
    return false;
  }
  return true;
}

std::unique_ptr<TapeMedia> TapeMedia::open(const std::string& path, bool read_only,
                                           std::string* error) {
  int fd = ::open(path.c_str(), (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
  if (fd < 0) {
    *error = path + ": " + std::strerror(errno);
    return nullptr;
  }
  std::unique_ptr<TapeMedia> m(new TapeMedia());
  m->fd_ = fd;
  m->read_only_ = read_only;
  // One writer per cartridge file: two drives must never append to it.
  if (::flock(fd, (read_only ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
    *error = path + ": in use by another drive or process";
    return nullptr;
  }
  struct stat st {};
  if (::fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || uint64_t(st.st_size) < F::kDataOffset) {
    *error = path + ": not a tape media file (too small or not a regular file)";
    return nullptr;
  }
  uint8_t slots[2 * F::kHeaderSize];
  if (::pread(fd, slots, sizeof slots, 0) != ssize_t(sizeof slots)) {
    *error = path + ": cannot read the header";
    return nullptr;
  }
  Header a, b;
  bool va = decode_header(slots, &a), vb = decode_header(slots + F::kHeaderSize, &b);
  if (!va && !vb) {
    *error = path + ": not a tape media file (bad magic, version or header checksum)";
    return nullptr;
  }
  m->hdr_ = (va && (!vb || a.generation >= b.generation)) ? a : b;
  m->summary_.barcode = m->hdr_.barcode;
  m->summary_.capacity = m->hdr_.capacity;
  m->summary_.write_protect = m->hdr_.flags & F::kFlagWriteProtect;
  uint64_t size = uint64_t(st.st_size);
  if (int r = m->scan(size); r < 0) {
    *error = path + ": " + std::strerror(-r);
    return nullptr;
  }
  bool tidy = m->summary_.clean && size == m->end_ + F::kRecordHeaderSize &&
              m->hdr_.synced_end == m->end_;
  if (!read_only && !tidy) {
    // Recover: forget the torn tail and mark EOD after the last good record.
    if (::ftruncate(fd, off_t(m->end_)) < 0) {
      *error = path + ": " + std::strerror(errno);
      return nullptr;
    }
    m->dirty_ = true;
    if (int r = m->sync(); r < 0) {
      *error = path + ": " + std::strerror(-r);
      return nullptr;
    }
  }
  return m;
}

// Walks the record chain from the first record. A record belongs to the
// chain when its header checksum holds, it carries the next object number,
// its epoch does not go backwards nor beyond the header's, and it lies within
// the file; records past the last checkpoint must also match their data
// checksum. The chain ends at the first record that fails, or at EOD.
int TapeMedia::scan(uint64_t size) noexcept {
  objects_.clear();
  filemarks_.clear();
  uint64_t off = F::kDataOffset;
  uint32_t prev_epoch = 0;
  bool clean = false;
  std::vector<uint8_t> chunk;
  while (off + F::kRecordHeaderSize <= size) {
    uint8_t h[F::kRecordHeaderSize];
    if (::pread(fd_, h, sizeof h, off_t(off)) != ssize_t(sizeof h)) break;
    if (get_le32(h + kRMagic) != F::kRecordMagic || get_le32(h + kRCrc) != crc32c(0, h, kRCrc))
      break;
    uint8_t type = h[kRType];
    uint32_t epoch = get_le32(h + kREpoch);
    uint32_t len = get_le32(h + kRLength);
    uint32_t crc = get_le32(h + kRDataCrc);
    if (get_le64(h + kRObject) != objects_.size() || epoch < prev_epoch || epoch > hdr_.epoch)
      break;
    if (type == uint8_t(RecordType::eod)) {
      clean = len == 0;
      break;
    }
    if (type == uint8_t(RecordType::filemark)) {
      if (len != 0) break;
    } else if (type == uint8_t(RecordType::data)) {
      if (len == 0 || len > F::kMaxBlockLength || off + F::kRecordHeaderSize + len > size) break;
      if (off >= hdr_.synced_end) {
        try {
          chunk.resize(len);
        } catch (...) {
          return -ENOMEM;
        }
        if (::pread(fd_, chunk.data(), len, off_t(off + F::kRecordHeaderSize)) != ssize_t(len) ||
            crc32c(0, chunk.data(), len) != crc)
          break;
      }
    } else {
      break;
    }
    try {
      objects_.push_back(Object{off, len, crc, RecordType(type)});
      if (type == uint8_t(RecordType::filemark)) filemarks_.push_back(objects_.size() - 1);
    } catch (...) {
      return -ENOMEM;
    }
    prev_epoch = epoch;
    off += F::kRecordHeaderSize + len;
  }
  end_ = off;
  summary_.clean = clean;
  uint64_t tail = end_ + (clean ? F::kRecordHeaderSize : 0);
  summary_.dropped_bytes = size > tail ? size - tail : 0;
  summary_.data_blocks = data_block_count();
  summary_.filemarks = filemark_count();
  summary_.used_bytes = used_bytes();
  return 0;
}

int TapeMedia::read_block(uint64_t i, std::span<const iovec> dst, uint32_t max) noexcept {
  if (i >= objects_.size() || objects_[i].type != RecordType::data) return -EINVAL;
  const Object& o = objects_[i];
  uint32_t n = std::min(o.length, max);
  try {
    std::vector<iovec> v = prefix(dst, n);
    if (int r = preadv_all(fd_, v, o.offset + F::kRecordHeaderSize); r < 0) return r;
    if (n == o.length && crc_of(prefix(dst, n)) != o.crc) return -EILSEQ;
  } catch (...) {
    return -ENOMEM;
  }
  return 0;
}

int TapeMedia::truncate(uint64_t pos) noexcept {
  if (read_only_) return -EROFS;
  if (pos >= objects_.size()) return 0;
  uint64_t off = objects_[pos].offset;
  // A new epoch first: should the truncation be lost in a crash, records
  // written after it still end the chain before the stale ones.
  ++hdr_.epoch;
  if (hdr_.synced_end > off) {
    hdr_.synced_end = off;
    hdr_.synced_objects = pos;
    hdr_.filemarks = filemarks_before(pos);
    hdr_.data_blocks = pos - hdr_.filemarks;
  }
  if (int r = write_header(); r < 0) return r;
  if (::ftruncate(fd_, off_t(off)) < 0) return -errno;
  objects_.resize(pos);
  filemarks_.resize(filemarks_before(pos));
  end_ = off;
  dirty_ = true;
  return 0;
}

int TapeMedia::append(RecordType type, std::span<const iovec> src, uint32_t length) noexcept {
  if (read_only_) return -EROFS;
  if (type == RecordType::data && (length == 0 || length > F::kMaxBlockLength)) return -EINVAL;
  try {
    std::vector<iovec> iov;
    iov.reserve(src.size() + 1);
    uint8_t h[F::kRecordHeaderSize];
    iov.push_back(iovec{h, sizeof h});
    std::vector<iovec> data = prefix(src, length);
    uint32_t crc = type == RecordType::data ? crc_of(data) : 0;
    write_record_header(type, objects_.size(), length, crc, h);
    iov.insert(iov.end(), data.begin(), data.end());
    if (int r = pwritev_all(fd_, std::move(iov), end_); r < 0) return r;
    objects_.push_back(Object{end_, length, crc, type});
    if (type == RecordType::filemark) filemarks_.push_back(objects_.size() - 1);
  } catch (...) {
    return -ENOMEM;
  }
  end_ += F::kRecordHeaderSize + length;
  dirty_ = true;
  return 0;
}

int TapeMedia::append_block(std::span<const iovec> src, uint32_t length) noexcept {
  return append(RecordType::data, src, length);
}

int TapeMedia::append_filemark() noexcept { return append(RecordType::filemark, {}, 0); }

int TapeMedia::sync() noexcept {
  if (read_only_ || !dirty_) return 0;
  uint8_t eod[F::kRecordHeaderSize];
  write_record_header(RecordType::eod, objects_.size(), 0, 0, eod);
  if (::pwrite(fd_, eod, sizeof eod, off_t(end_)) != ssize_t(sizeof eod))
    return errno ? -errno : -EIO;
  if (int r = sync_fd(fd_); r < 0) return r;
  hdr_.synced_end = end_;
  hdr_.synced_objects = objects_.size();
  hdr_.data_blocks = data_block_count();
  hdr_.filemarks = filemark_count();
  if (int r = write_header(); r < 0) return r;
  dirty_ = false;
  summary_.clean = true;
  summary_.data_blocks = data_block_count();
  summary_.filemarks = filemark_count();
  summary_.used_bytes = used_bytes();
  return 0;
}

}  // namespace nexus::tape
