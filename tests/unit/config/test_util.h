#pragma once

#include <gtest/gtest.h>

#include <string>

#include "config_loader.h"

namespace nexus::server::testing {

// Loads YAML text as if from "test.yaml".
inline LoadResult load(std::string_view yaml) { return load_config_string(yaml, "test.yaml"); }

// True when some diagnostic formats as "test.yaml:LINE:...: PATH: ...SNIPPET...".
inline ::testing::AssertionResult HasDiag(const LoadResult& r, int line, const std::string& path,
                                          const std::string& snippet,
                                          Severity sev = Severity::error) {
  for (const auto& d : r.diagnostics.items()) {
    if (d.severity != sev || d.location.line != line || d.location.path != path) continue;
    std::string text = d.format();
    if (text.find(snippet) != std::string::npos &&
        text.starts_with("test.yaml:" + std::to_string(line) + ":"))
      return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "no diagnostic at line " << line << " path '" << path
                                       << "' containing '" << snippet << "'; got:\n"
                                       << r.diagnostics.format();
}

}  // namespace nexus::server::testing
