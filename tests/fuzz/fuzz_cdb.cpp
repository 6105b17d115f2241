// libFuzzer target for the CDB decoder: arbitrary bytes go through what the
// core does with a CDB (OpcodeTable::lookup, transfer_length,
// execute_core_command) against an LU with the core's rows plus disk-like
// device rows. Input layout: byte 0 selects context variations, byte 1 the
// buffer size class, the rest is the CDB (and, for MODE SELECT, also the
// parameter list). Any crash, sanitizer report or hang is a bug.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "../unit/scsi/fake_device.h"
#include "nexus/device.h"
#include "scsi/core_command.h"
#include "scsi/core_opcode_rows.h"
#include "scsi/opcode_table.h"
#include "scsi/sense_encoding.h"
#include "scsi/transfer_length.h"

using namespace nexus;
using namespace nexus::scsi;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  // The SPC unit tests' fake disk (Caching page, a subpage, VPD B0h, a
  // block descriptor) and its device rows, incl. a vendor row whose length
  // comes from the device and a 32-byte variable-length CDB.
  static test::FakeDevice dev;
  static const std::vector<OpcodeInfo> rows = test::disk_rows();
  static const OpcodeTable table(core_rows(PeripheralType::disk), rows);
  static const uint32_t luns[] = {0, 1, 300, 0xC101};
  static const uint8_t vpd[] = {0xB0};

  const uint8_t variant = data[0];
  const size_t buf_size = std::array<size_t, 8>{0, 1, 4, 17, 36, 255, 512, 65536}[data[1] & 7];
  std::span<const uint8_t> cdb(data + 2, size - 2);

  DeviceInfo info{};
  info.struct_size = sizeof(info);
  info.type = (variant & 0x10) ? PeripheralType::tape : PeripheralType::disk;
  info.scsi_version = 0x06;
  info.flags = (variant & 0x20) ? 0 : DeviceInfoFlags::medium_present | DeviceInfoFlags::ready;
  info.block_size = 512;
  info.num_blocks = 2048;
  ControlModeState control;
  SenseInfo pending{sizeof(SenseInfo), SenseKey::unit_attention, 0x29, 0x00, 0, 0, 0, 0, 0, 0};

  CoreContext ctx;
  ctx.device = (variant & 0x01) ? nullptr : &dev;
  ctx.info = &info;
  ctx.lun = (variant & 0x02) ? 0xC101 : 0;
  ctx.read_only = variant & 0x04;
  ctx.device_name = "disk0";
  ctx.target_name = "iqn.2026-11.io.nexus:fuzz";
  ctx.visible_luns = luns;
  ctx.control = &control;
  ctx.opcodes = &table;
  ctx.pending_sense = (variant & 0x08) ? &pending : nullptr;
  ctx.device_vpd_pages = vpd;

  LookupResult found = table.lookup(cdb);
  std::array<uint8_t, kMaxSenseLength> sense_buf;
  if (!found) {
    encode_sense(found.sense, (variant & 0x40) ? SenseFormat::descriptor : SenseFormat::fixed,
                 sense_buf);
  } else {
    TransferLength t = transfer_length(*found.row, cdb, info.block_size, &dev);
    (void)t;
  }
  // Also execute CDBs lookup rejected: execute_core_command must cope with
  // anything. The buffer starts with the CDB bytes as MODE SELECT data.
  std::vector<uint8_t> buf(buf_size);
  if (!buf.empty()) std::memcpy(buf.data(), cdb.data(), std::min(buf.size(), cdb.size()));
  Result r = execute_core_command(ctx, cdb, buf);
  if (r.data_in_length > buf.size()) __builtin_trap();
  if (r.has_sense) encode_sense(r.sense, SenseFormat::fixed, sense_buf);
  return 0;
}
