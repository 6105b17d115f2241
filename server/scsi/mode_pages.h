// MODE SENSE(6)/(10) and MODE SELECT(6)/(10) (SPC-4 6.11-6.14, 7.5): the
// mode parameter header, one block descriptor and the pages of the core
// (core_mode_pages(): Control, Informational Exceptions) and of the device
// (IDevice::mode_pages / mode_page / mode_select_page / block_descriptor /
// set_block_descriptor), handled alike.
//
// - PC current/changeable/default are answered; saved values are not kept,
//   so PC=11b is SAVING PARAMETERS NOT SUPPORTED (39h/00h) and SP=1 in MODE
//   SELECT is INVALID FIELD IN CDB.
// - Page code 3Fh returns every page (subpage 00h: page_0 pages only, FFh:
//   all pages and subpages); subpage FFh with another page returns all its
//   subpages. MODE SENSE(6) drops pages that would overflow its 1-byte MODE
//   DATA LENGTH.
// - Header: medium type 00h; device-specific parameter WP when the mapping is
//   read-only, the medium is write protected or Control SWP=1, plus DPOFUA
//   for disks (SBC-3 6.4.1). The PS bit of every page is 0 (nothing savable).
// - Block descriptor: short (SBC format for disks, general format with
//   DENSITY CODE otherwise) or long LBA when LLBAA=1; none with DBD=1.
// - MODE SELECT requires PF=1. The whole parameter list is validated before
//   anything is applied: truncated header/descriptor/page -> PARAMETER LIST
//   LENGTH ERROR (1Ah/00h); unknown page, wrong page length, wrong medium
//   type, bad block descriptor length, or a change to a bit outside the
//   page's changeable mask -> INVALID FIELD IN PARAMETER LIST pointing at the
//   byte/bit in the parameter list. Device sense from set_block_descriptor /
//   mode_select_page with a parameter-data field pointer is taken as relative
//   to the descriptor / page and shifted to the parameter list offset.
#pragma once

#include <cstdint>
#include <span>

#include "scsi/core_context.h"
#include "scsi/result.h"

namespace nexus::scsi {

Result mode_sense(const CoreContext& ctx, std::span<const uint8_t> cdb, std::span<uint8_t> buf);

// `params` holds the Data-Out bytes received (the parameter list).
// Result::mode_parameters_changed is set when a current value changed.
Result mode_select(const CoreContext& ctx, std::span<const uint8_t> cdb,
                   std::span<const uint8_t> params);

}  // namespace nexus::scsi
