// example-ramdisk: a tiny but real SBC disk held in RAM, built out of tree
// against the installed Nexus SDK. It executes READ CAPACITY(10), READ(10)
// and WRITE(10); the Nexus core answers INQUIRY, REPORT LUNS, TEST UNIT READY,
// REQUEST SENSE, MODE SENSE and friends for every device, and validates each
// CDB against the opcode rows below before execute() sees it.
//
//   devices:
//     - name: ram0
//       handler: example-ramdisk
//       options: {size: 16M, block_size: 512}
#include <nexus/nexus.hpp>

#include <cstring>
#include <memory>
#include <new>
#include <string>

namespace {

using namespace nexus;

constexpr uint8_t kReadCapacity10 = 0x25;
constexpr uint8_t kRead10 = 0x28;
constexpr uint8_t kWrite10 = 0x2A;

// One row per command (SBC-3 5.x). usage[] is the CDB USAGE DATA of REPORT
// SUPPORTED OPERATION CODES: a bit set = the initiator may set it; the core
// rejects anything else with INVALID FIELD IN CDB.
constexpr OpcodeInfo kOpcodes[] = {
    {.opcode = kReadCapacity10,
     .cdb_length = 10,
     .service_action = 0,
     .flags = 0,
     .direction = DataDir::read,
     .len_unit = LengthUnit::device,  // fixed 8 bytes, see data_length()
     .len_offset = 0,
     .len_size = 0,
     .lba_offset = 0,
     .lba_size = 0,
     .resv_class = ResvClass::allowed,  // SPC-4 Table 63: READ CAPACITY is allowed
     .reserved0 = 0,
     // LBA (bytes 2-5) and PMI (byte 8 bit 0), SBC-3 5.15.
     .usage = {0xFF, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x01, 0x00},
     .timeout_ms = 0,
     .name = "READ CAPACITY(10)"},
    {.opcode = kRead10,
     .cdb_length = 10,
     .service_action = 0,
     .flags = OpcodeFlags::lba_range,
     .direction = DataDir::read,
     .len_unit = LengthUnit::blocks,
     .len_offset = 7,
     .len_size = 2,
     .lba_offset = 2,
     .lba_size = 4,
     .resv_class = ResvClass::read,
     .reserved0 = 0,
     // DPO + FUA (byte 1 bits 4, 3), LBA, TRANSFER LENGTH (SBC-3 5.11).
     .usage = {0xFF, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0x00},
     .timeout_ms = 0,
     .name = "READ(10)"},
    {.opcode = kWrite10,
     .cdb_length = 10,
     .service_action = 0,
     .flags = OpcodeFlags::writes_medium | OpcodeFlags::lba_range,
     .direction = DataDir::write,
     .len_unit = LengthUnit::blocks,
     .len_offset = 7,
     .len_size = 2,
     .lba_offset = 2,
     .lba_size = 4,
     .resv_class = ResvClass::write,
     .reserved0 = 0,
     // DPO + FUA, LBA, TRANSFER LENGTH (SBC-3 5.35).
     .usage = {0xFF, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0x00},
     .timeout_ms = 0,
     .name = "WRITE(10)"},
};

// Copies between the RAM image and a command's scatter-gather buffer.
void copy_iov(IDeviceCommand* cmd, uint8_t* mem, uint64_t bytes, bool to_buffer) {
  const IoVec* iov = nullptr;
  uint32_t n = cmd->iov(&iov);
  for (uint32_t i = 0; i < n && bytes > 0; ++i) {
    uint64_t k = iov[i].len < bytes ? iov[i].len : bytes;
    if (to_buffer)
      std::memcpy(iov[i].base, mem, k);
    else
      std::memcpy(mem, iov[i].base, k);
    mem += k;
    bytes -= k;
  }
}

// Copies text into a NUL-terminated fixed field, truncating if needed.
template <size_t N>
void set_text(char (&field)[N], std::string_view text) {
  size_t n = text.size() < N - 1 ? text.size() : N - 1;
  std::memcpy(field, text.data(), n);
  field[n] = '\0';
}

class RamDisk final : public IDevice {
 public:
  RamDisk(IDeviceHost* host, uint32_t block_size, uint64_t blocks, std::unique_ptr<uint8_t[]> mem)
      : host_(host), block_size_(block_size), blocks_(blocks), mem_(std::move(mem)) {}

  Status info(DeviceInfo* out) noexcept override {
    *out = DeviceInfo{};
    out->struct_size = sizeof(DeviceInfo);
    out->type = PeripheralType::disk;
    out->scsi_version = 0x06;  // SPC-4
    out->flags = DeviceInfoFlags::medium_present | DeviceInfoFlags::ready;
    out->block_size = block_size_;
    out->num_blocks = blocks_;
    set_text(out->vendor, "NEXUS");
    set_text(out->product, "EXAMPLE RAMDISK");
    set_text(out->revision, "0001");
    set_text(out->serial, to_sv(host_->name()));
    return Status::ok;
  }

  uint32_t opcodes(const OpcodeInfo** rows) noexcept override {
    *rows = kOpcodes;
    return sizeof kOpcodes / sizeof kOpcodes[0];
  }

  void execute(IDeviceCommand* cmd) noexcept override {
    ConstByteSpan cdb = cmd->cdb();
    switch (cdb.data[0]) {
      case kReadCapacity10:
        return read_capacity10(cmd, cdb.data);
      case kRead10:
        return read_write10(cmd, cdb.data, /*write=*/false);
      case kWrite10:
        return read_write10(cmd, cdb.data, /*write=*/true);
      default: {
        SenseInfo s = sense::invalid_opcode();
        cmd->complete(ScsiStatus::check_condition, &s);
      }
    }
  }

  bool data_length(ConstByteSpan cdb, uint32_t* bytes, SenseInfo* s) noexcept override {
    if (cdb.size >= 1 && cdb.data[0] == kReadCapacity10) {
      *bytes = 8;  // READ CAPACITY(10) parameter data is always 8 bytes
      return true;
    }
    *s = sense::invalid_opcode();
    return false;
  }

  Status vpd_page(uint8_t, ByteSpan, uint32_t*) noexcept override { return Status::unsupported; }
  uint32_t mode_pages(const ModePageId** ids) noexcept override {
    *ids = nullptr;
    return 0;
  }
  Status mode_page(ModePageId, ModePageControl, ByteSpan, uint32_t*) noexcept override {
    return Status::unsupported;
  }
  Status mode_select_page(ModePageId, ConstByteSpan, SenseInfo*) noexcept override {
    return Status::unsupported;
  }
  Status block_descriptor(BlockDescriptor* out) noexcept override {
    *out = BlockDescriptor{};
    out->struct_size = sizeof(BlockDescriptor);
    out->num_blocks = blocks_;
    out->block_length = block_size_;
    return Status::ok;
  }
  Status set_block_descriptor(const BlockDescriptor* in, SenseInfo* s) noexcept override {
    // The block size of a RAM disk is fixed by its options.
    if (in->block_length != 0 && in->block_length != block_size_) {
      *s = sense::invalid_field_in_param(5);  // BLOCK LENGTH field of the descriptor
      return Status::invalid_argument;
    }
    return Status::ok;
  }
  void abort(IDeviceCommand*) noexcept override {}  // every command completes inline
  void reset(ResetKind) noexcept override {}        // no volatile state to drop
  void destroy() noexcept override { delete this; }

 private:
  // SBC-3 5.15: RETURNED LOGICAL BLOCK ADDRESS (last LBA, or FFFFFFFFh when it
  // does not fit) and LOGICAL BLOCK LENGTH IN BYTES.
  void read_capacity10(IDeviceCommand* cmd, const uint8_t* cdb) {
    bool pmi = cdb[8] & 0x01;
    if (!pmi && get_be32(cdb + 2) != 0) {  // LBA must be zero when PMI is zero
      SenseInfo s = sense::invalid_field_in_cdb(2);
      return cmd->complete(ScsiStatus::check_condition, &s);
    }
    uint8_t data[8];
    uint64_t last = blocks_ - 1;
    put_be32(data, last > 0xFFFFFFFEull ? 0xFFFFFFFFu : uint32_t(last));
    put_be32(data + 4, block_size_);
    uint32_t n = cmd->data_length() < 8 ? cmd->data_length() : 8;
    copy_iov(cmd, data, n, /*to_buffer=*/true);
    cmd->set_transfer_length(n);
    cmd->complete(ScsiStatus::good, nullptr);
  }

  void read_write10(IDeviceCommand* cmd, const uint8_t* cdb, bool write) {
    uint64_t lba = get_be32(cdb + 2);
    uint64_t count = get_be16(cdb + 7);
    if (lba > blocks_ || count > blocks_ - lba) {
      SenseInfo s = sense::lba_out_of_range();
      return cmd->complete(ScsiStatus::check_condition, &s);
    }
    uint64_t bytes = count * block_size_;
    if (bytes > cmd->data_length()) bytes = cmd->data_length();
    copy_iov(cmd, mem_.get() + lba * block_size_, bytes, /*to_buffer=*/!write);
    if (!write) cmd->set_transfer_length(uint32_t(bytes));
    cmd->complete(ScsiStatus::good, nullptr);
  }

  IDeviceHost* host_;
  uint32_t block_size_;
  uint64_t blocks_;
  std::unique_ptr<uint8_t[]> mem_;  // null under --check-config
};

Status create_device(IDeviceHost* host, const IConfigNode* options, IDevice** out) noexcept {
  *out = nullptr;
  try {
    Options opt(options);
    uint64_t size = opt.size("size", 16ull << 20);
    uint64_t block_size = opt.uint("block_size", 512, 512, 4096);
    if (opt.ok() && block_size != 512 && block_size != 4096)
      opt.fail(opt.child("block_size"), "must be 512 or 4096");
    if (opt.ok() && (size < block_size || size % block_size != 0 || size > (1ull << 30)))
      opt.fail(opt.child("size"), "must be a multiple of block_size, at most 1G");
    if (!opt.ok()) return Status::invalid_argument;

    std::unique_ptr<uint8_t[]> mem;
    if (!host->check_only()) {
      mem.reset(new (std::nothrow) uint8_t[size]());
      if (!mem) {
        logf(host, LogLevel::error, "cannot allocate %llu bytes", (unsigned long long)size);
        return Status::no_memory;
      }
    }
    *out = new RamDisk(host, uint32_t(block_size), size / block_size, std::move(mem));
    logf(host, LogLevel::info, "RAM disk of %llu blocks of %llu bytes",
         (unsigned long long)(size / block_size), (unsigned long long)block_size);
    return Status::ok;
  } catch (...) {
    return Status::no_memory;
  }
}

const PluginDescriptor* describe() noexcept {
  static const PluginDescriptor d = [] {
    PluginDescriptor x = make_descriptor(PluginKind::device, "example-ramdisk", "1.0.0",
                                         "example out-of-tree RAM disk (READ/WRITE(10))");
    x.create_device = create_device;
    return x;
  }();
  return &d;
}

}  // namespace

NEXUS_PLUGIN(describe)
