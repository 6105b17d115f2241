// A tape cartridge stored in one file (format: docs/tape-media-format.md).
//
// The medium is a sequence of logical objects - data blocks and filemarks -
// numbered from 0 (SSC-3 logical object identifiers), followed by end-of-data
// (EOD). The whole chain is indexed in memory at open so SPACE and LOCATE
// never touch the file. Writes append; writing anywhere but at EOD first
// truncates what follows, as a real tape does. Not thread-safe: the owner
// serializes calls.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace nexus::tape {

// On-disk constants (docs/tape-media-format.md).
struct MediaFormat {
  static constexpr char kMagic[8] = {'N', 'X', 'T', 'A', 'P', 'E', '\r', '\n'};
  static constexpr uint32_t kVersion = 1;
  static constexpr uint32_t kHeaderSize = 512;  // one slot; two slots at 0 and 512
  static constexpr uint32_t kDataOffset = 4096;
  static constexpr uint32_t kRecordMagic = 0x4E585243;  // "NXRC"
  static constexpr uint32_t kRecordHeaderSize = 32;
  static constexpr uint32_t kMaxBlockLength = 16u << 20;  // 24-bit SSC transfer lengths
  static constexpr size_t kBarcodeSize = 32;
  static constexpr uint32_t kFlagWriteProtect = 1u << 0;
  static constexpr uint64_t kMinCapacity = 64u << 10;
};

enum class RecordType : uint8_t { data = 1, filemark = 2, eod = 3 };

struct MediaCreateParams {
  std::string barcode;  // printable ASCII, up to 32 characters
  uint64_t capacity = 0;  // bytes of records the cartridge holds (native capacity)
  bool write_protect = false;
};

// What open() found, for nexus-mktape --info and logs.
struct MediaSummary {
  std::string barcode;
  uint64_t capacity = 0;
  bool write_protect = false;
  uint64_t data_blocks = 0;
  uint64_t filemarks = 0;
  uint64_t used_bytes = 0;
  bool clean = true;          // the chain ended with an EOD record
  uint64_t dropped_bytes = 0;  // bytes past the last valid record (recovered crash)
};

class TapeMedia {
 public:
  // Creates a new, empty cartridge; fails if `path` exists.
  static bool create(const std::string& path, const MediaCreateParams& p, std::string* error);
  // Opens a cartridge and indexes its records. Read-write opens repair a
  // torn tail (crash mid-write): the file is cut at the last valid record
  // and an EOD record written. Read-only opens change nothing.
  static std::unique_ptr<TapeMedia> open(const std::string& path, bool read_only,
                                         std::string* error);
  ~TapeMedia();
  TapeMedia(const TapeMedia&) = delete;
  TapeMedia& operator=(const TapeMedia&) = delete;

  const MediaSummary& summary() const noexcept { return summary_; }
  const std::string& barcode() const noexcept { return summary_.barcode; }
  bool read_only() const noexcept { return read_only_; }
  bool header_write_protect() const noexcept { return summary_.write_protect; }
  uint64_t capacity() const noexcept { return summary_.capacity; }
  // Bytes before the end of the medium where early warning begins.
  uint64_t early_warning_size() const noexcept;

  // --- The logical object index ---
  uint64_t object_count() const noexcept { return objects_.size(); }  // = EOD position
  bool is_filemark(uint64_t i) const noexcept { return objects_[i].type == RecordType::filemark; }
  uint32_t block_length(uint64_t i) const noexcept { return objects_[i].length; }
  uint64_t filemark_count() const noexcept { return filemarks_.size(); }
  uint64_t data_block_count() const noexcept { return objects_.size() - filemarks_.size(); }
  // Filemarks with an object index < pos.
  uint64_t filemarks_before(uint64_t pos) const noexcept;
  // Object index of the n-th filemark (0-based); n < filemark_count().
  uint64_t filemark_at(uint64_t n) const noexcept { return filemarks_[n]; }
  // Bytes of the medium used in front of object `pos` (pos <= object_count()).
  uint64_t bytes_before(uint64_t pos) const noexcept;
  uint64_t used_bytes() const noexcept { return end_ - MediaFormat::kDataOffset; }
  bool past_early_warning(uint64_t pos) const noexcept;

  // --- I/O (return 0 or -errno; -EILSEQ = checksum mismatch) ---
  // Reads the first min(length, max) payload bytes of data block i into
  // `dst` (scatter list of at least that many bytes). The checksum is
  // verified when the whole block is read.
  int read_block(uint64_t i, std::span<const iovec> dst, uint32_t max) noexcept;
  // Removes objects pos.. (pos <= object_count()).
  int truncate(uint64_t pos) noexcept;
  // True when a record with `payload` bytes still fits before the end of medium.
  bool fits(uint64_t payload) const noexcept;
  // Append at EOD (callers truncate first). `src` holds exactly `length` bytes.
  int append_block(std::span<const iovec> src, uint32_t length) noexcept;
  int append_filemark() noexcept;
  // Makes everything appended durable: EOD record, fdatasync, header
  // checkpoint. Cheap when nothing changed.
  int sync() noexcept;

 private:
  struct Object {
    uint64_t offset;  // of the record header
    uint32_t length;  // payload bytes
    uint32_t crc;     // CRC-32C of the payload
    RecordType type;
  };
  struct Header {
    uint64_t generation = 0;
    uint64_t capacity = 0;
    uint32_t flags = 0;
    uint64_t epoch = 0;
    uint64_t synced_end = MediaFormat::kDataOffset;
    uint64_t synced_objects = 0;
    uint64_t data_blocks = 0;
    uint64_t filemarks = 0;
    uint64_t created = 0;
    std::string barcode;
  };

  TapeMedia() = default;
  static void encode_header(const Header& h, uint8_t* out) noexcept;
  static bool decode_header(const uint8_t* in, Header* h) noexcept;
  int write_header() noexcept;
  int scan(uint64_t file_size) noexcept;
  int write_record_header(RecordType type, uint64_t object, uint32_t length, uint32_t crc,
                          uint8_t* out) const noexcept;
  int append(RecordType type, std::span<const iovec> src, uint32_t length) noexcept;

  int fd_ = -1;
  bool read_only_ = true;
  bool dirty_ = false;  // appended or truncated since the last sync()
  Header hdr_;
  MediaSummary summary_;
  std::vector<Object> objects_;
  std::vector<uint64_t> filemarks_;  // object indexes, ascending
  uint64_t end_ = MediaFormat::kDataOffset;  // file offset of EOD
};

}  // namespace nexus::tape
