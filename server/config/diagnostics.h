// Configuration errors and warnings, collected rather than thrown so that one
// `nexusd --check-config` run reports every problem at once.
#pragma once

#include <string>
#include <vector>

#include "config_model.h"

namespace nexus::server {

enum class Severity { warning, error };

struct Diagnostic {
  Severity severity = Severity::error;
  Location location;
  std::string message;

  // "FILE:LINE:COL: KEY.PATH: message" ("warning: " before the message for warnings).
  std::string format() const;
};

class Diagnostics {
 public:
  void error(const Location& where, std::string message);
  void warning(const Location& where, std::string message);
  void add(Diagnostic d);
  void append(const Diagnostics& other);

  bool has_errors() const { return errors_ > 0; }
  size_t error_count() const { return errors_; }
  const std::vector<Diagnostic>& items() const { return items_; }
  // Every diagnostic formatted, one per line.
  std::string format() const;

 private:
  std::vector<Diagnostic> items_;
  size_t errors_ = 0;
};

}  // namespace nexus::server
