// Everything execute_core_command() needs to answer an SPC command for one
// I_T_L nexus: plain values and non-owning pointers the core fills per
// command (or caches per nexus/LU). Nothing here is retained after the call.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "nexus/device.h"
#include "nexus/scsi.h"
#include "scsi/control_mode_state.h"
#include "scsi/opcode_table.h"

namespace nexus::scsi {

// SPC-4 7.6.1 Table 362 protocol identifiers.
inline constexpr uint8_t kProtocolFcp = 0x0;
inline constexpr uint8_t kProtocolSrp = 0x4;
inline constexpr uint8_t kProtocolIscsi = 0x5;
inline constexpr uint8_t kProtocolSas = 0x6;

struct CoreContext {
  // The LU. device == nullptr means no LU is mapped at `lun` for this nexus
  // (INQUIRY answers peripheral qualifier 011b), unless `lun` is a
  // well-known LUN (then the core's W-LUN answers).
  IDevice* device = nullptr;
  const DeviceInfo* info = nullptr;  // the device's current info; required with device
  uint32_t lun = 0;                  // decoded LUN number (lun_encoding.h)
  bool read_only = false;            // this nexus's LUN mapping is read-only
  std::string_view device_name;      // from the configuration

  // The target port the command arrived on.
  std::string_view target_name;       // SCSI target device name (iSCSI: the IQN)
  std::string_view target_port_name;  // SCSI name string of the port; empty: derived
                                      // for iSCSI as "<target_name>,t,0x<TPGT>"
  uint8_t protocol_id = kProtocolIscsi;
  uint16_t transport_version_descriptor = 0x0960;  // iSCSI (no version claimed); 0: none
  uint16_t portal_group_tag = 1;                   // iSCSI TPGT
  uint16_t relative_target_port = 1;               // VPD 83h designator type 4
  uint16_t target_port_group = 1;                  // VPD 83h designator type 5
  bool multiport = false;  // INQUIRY MULTIP: the LU is reachable via >1 port

  // LUN numbers this nexus sees, ascending (REPORT LUNS).
  std::span<const uint32_t> visible_luns;

  // The LU's mode state; MODE SELECT modifies it in place (the row has
  // serialize_lu, so no other command of the LU runs meanwhile).
  ControlModeState* control = nullptr;
  // The LU's command table (RSOC, INQUIRY TPGS).
  const OpcodeTable* opcodes = nullptr;

  // Sense data pending for this I_T_L nexus (e.g. a Unit Attention) that
  // REQUEST SENSE returns; null when none.
  const SenseInfo* pending_sense = nullptr;

  // VPD pages the device serves through IDevice::vpd_page (listed in 00h).
  std::span<const uint8_t> device_vpd_pages;
  bool volatile_cache = false;     // VPD 86h V_SUP
  bool nonvolatile_cache = false;  // VPD 86h NV_SUP
};

}  // namespace nexus::scsi
