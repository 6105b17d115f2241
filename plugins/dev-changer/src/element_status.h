// READ ELEMENT STATUS data (SMC-3 6.11.2): an 8-byte element status header,
// then one element status page per element type, each an 8-byte page header
// followed by fixed-length element descriptors.
//
// Element descriptor (all types; absent parts shift the rest up):
//   0-1   ELEMENT ADDRESS
//   2     FULL(0) IMPEXP(1, I/E) EXCEPT(2) ACCESS(3) EXENAB(4, I/E) INENAB(5, I/E)
//   4-5   ADDITIONAL SENSE CODE / QUALIFIER (with EXCEPT)
//   9     SVALID(7), MEDIUM TYPE(2-0): 1 data, 2 cleaning (barcode "CLN...")
//   10-11 SOURCE STORAGE ELEMENT ADDRESS (with SVALID)
//   12-47 PRIMARY VOLUME TAG (VOLTAG=1): barcode, 32 bytes space padded, then
//         2 reserved and a 2-byte volume sequence number (0). No AVOLTAG.
//   +0    CODE SET, +1 IDENTIFIER TYPE, +2 reserved, +3 IDENTIFIER LENGTH,
//   +4    IDENTIFIER: with DVCID=1 the drive's T10 vendor identification
//         designator (code set 2 ASCII, type 1): vendor(8) product(16) serial,
//         the same the drive reports in VPD 83h/80h; length 0 otherwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "element_map.h"

namespace nexus::changer {

// What the changer knows about the drive behind a data transfer element.
struct DriveView {
  std::string identifier;  // DVCID designator; empty if the drive is not resolved
  bool access = true;      // the transport may take/put media (drive empty or unloaded)
  bool except = false;     // abnormal: e.g. no such tape device
  uint8_t asc = 0, ascq = 0;
};

struct StatusRequest {
  ElementType type = ElementType::all;
  bool voltag = false;
  uint16_t start = 0;
  uint16_t count = 0;  // NUMBER OF ELEMENTS: the most descriptors to report
  bool dvcid = false;
};

struct StatusReport {
  std::vector<uint8_t> data;      // the whole report
  std::vector<size_t> unit_ends;  // end offsets of the header, page headers and descriptors
};

// Builds the full report. False when no element of the requested type has an
// address >= start (ILLEGAL REQUEST, INVALID ELEMENT ADDRESS). `drives` is
// indexed by drive number.
bool build_element_status(const ElementMap& map, const StatusRequest& req,
                          const std::vector<DriveView>& drives, StatusReport* out);

// How many bytes to return for an ALLOCATION LENGTH: whole descriptors only
// (SMC-3 6.11.1); the byte counts in the headers keep describing the full report.
size_t truncate_to_units(const StatusReport& r, size_t allocation_length);

// The DVCID designator of a drive from its INQUIRY identity.
std::string drive_identifier(std::string_view vendor, std::string_view product,
                             std::string_view serial);

}  // namespace nexus::changer
