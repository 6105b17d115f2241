#include "diagnostics.h"

namespace nexus::server {

std::string Diagnostic::format() const {
  std::string s = location.file.empty() ? std::string("<config>") : location.file;
  if (location.line > 0) {
    s += ":" + std::to_string(location.line);
    if (location.column > 0) s += ":" + std::to_string(location.column);
  }
  s += ": ";
  if (!location.path.empty()) s += location.path + ": ";
  if (severity == Severity::warning) s += "warning: ";
  s += message;
  return s;
}

void Diagnostics::error(const Location& where, std::string message) {
  items_.push_back(Diagnostic{Severity::error, where, std::move(message)});
  ++errors_;
}

void Diagnostics::warning(const Location& where, std::string message) {
  items_.push_back(Diagnostic{Severity::warning, where, std::move(message)});
}

void Diagnostics::add(Diagnostic d) {
  if (d.severity == Severity::error) ++errors_;
  items_.push_back(std::move(d));
}

void Diagnostics::append(const Diagnostics& other) {
  for (const auto& d : other.items_) {
    items_.push_back(d);
    if (d.severity == Severity::error) ++errors_;
  }
}

std::string Diagnostics::format() const {
  std::string out;
  for (const auto& d : items_) out += d.format() + "\n";
  return out;
}

}  // namespace nexus::server
