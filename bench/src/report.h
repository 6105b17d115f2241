// Report: renders a RunResult as a human table, one JSON line or one
// key=value line (the format bench/run-matrix.sh parses).
#pragma once

#include <cstdio>

#include "run_result.h"

namespace nexus::bench {

void print_table(const RunResult& r, std::FILE* out);
void print_json(const RunResult& r, std::FILE* out);
void print_key_values(const RunResult& r, std::FILE* out);

}  // namespace nexus::bench
