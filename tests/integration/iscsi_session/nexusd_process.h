// Starts nexusd on a generated configuration for one test and stops it with
// SIGTERM, reporting how it exited.
#pragma once

#include <sys/types.h>

#include <string>

namespace nexus::test {

class NexusdProcess {
 public:
  // `yaml` may use {PORT} and {DIR} (a private temporary directory).
  explicit NexusdProcess(const std::string& yaml);
  ~NexusdProcess();

  // False if nexusd exited or the port did not open within 15 s.
  bool start();
  // SIGTERM, then waits; returns the exit status (-1 if killed/timeout).
  int stop(int timeout_ms = 15000);
  bool running();

  uint16_t port() const { return port_; }
  const std::string& dir() const { return dir_; }
  std::string portal() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string log() const;  // what nexusd wrote to stderr

 private:
  std::string dir_;
  std::string config_;
  uint16_t port_;
  pid_t pid_ = -1;
};

}  // namespace nexus::test
