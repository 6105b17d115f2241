// RESERVE/RELEASE and PERSISTENT RESERVE IN/OUT for every device type, pass-
// through included: executed against the LU's reservation state, never
// forwarded to a backend (DESIGN.md lesson 2).
#pragma once

#include <cstdint>
#include <span>

namespace nexus::server {

class Command;
class LogicalUnit;
class Nexus;

// Executes c (a reservation command of its LU) and completes it.
void run_reservation_command(Command& c, std::span<uint8_t> buffer) noexcept;

// SAM-5 6.3.4 / SPC-2 5.5.1: the nexus is gone (logout, loss or I_T NEXUS
// RESET): its SPC-2 reservations are released on every LU it saw.
void release_nexus_reservations(Nexus& n) noexcept;

}  // namespace nexus::server
