// Runs the plugin in the fake core until stdin closes, for manual checks
// with iscsi-ls / iscsi-test-cu: prints the portal it listens on.
#include <cstdio>
#include <iostream>
#include <string>

#include "fake_core.h"

int main(int argc, char** argv) {
  std::map<std::string, std::string> opts;
  for (int i = 1; i + 1 < argc; i += 2) opts[argv[i]] = argv[i + 1];
  nexus::test::FakeCore core(opts);
  if (!core.started()) return 1;
  std::printf("%s\n", core.portal().c_str());
  std::fflush(stdout);
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  return 0;
}
