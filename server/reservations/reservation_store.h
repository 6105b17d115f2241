// Saves and loads a logical unit's APTPL state (SPC-4 5.13.4) atomically:
// write a temporary file next to the target, fsync it, rename it over the
// target, fsync the directory. A crash or a failed save leaves either the old
// file or the new one, never a mix.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "reservations/reservation_state.h"

namespace nexus::server::resv {

class ReservationStore {
 public:
  // With state.aptpl() the state is written to `file`; without it (the last
  // APTPL received was 0) `file` is removed, so a restart starts without
  // registrations (SPC-4 5.13.4). Returns false with `error` set on failure;
  // the previous file is then untouched.
  static bool save(const std::filesystem::path& file, const ReservationState& state,
                   std::string* error);

  // A missing file yields an empty state. A present but unreadable or
  // corrupt file yields nullopt with `error` naming the file and the line.
  static std::optional<ReservationState> load(const std::filesystem::path& file,
                                              std::string* error);

  // The temporary file save() writes first.
  static std::filesystem::path temp_path(const std::filesystem::path& file);
};

}  // namespace nexus::server::resv
