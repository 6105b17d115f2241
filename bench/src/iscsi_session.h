// IscsiSession: one libiscsi context logged in to one LUN (RAII: logs out and
// destroys the context on destruction). The load generator drives it through
// libiscsi's async API; login and READ CAPACITY run synchronously first.
#pragma once

#include <cstdint>
#include <string>

struct iscsi_context;

namespace nexus::bench {

struct LunGeometry {
  uint32_t block_size = 0;
  uint64_t blocks = 0;
};

class IscsiSession {
 public:
  IscsiSession() = default;
  ~IscsiSession();
  IscsiSession(IscsiSession&& other) noexcept;
  IscsiSession& operator=(IscsiSession&&) = delete;
  IscsiSession(const IscsiSession&) = delete;
  IscsiSession& operator=(const IscsiSession&) = delete;

  // Parses url (iscsi://HOST:PORT/IQN/LUN), logs in as initiator. lun < 0 =
  // the URL's LUN. Returns an error text, empty on success.
  std::string connect(const std::string& url, const std::string& initiator, int lun,
                      bool header_digest);
  // READ CAPACITY(16) (SBC-3 5.16), synchronously.
  std::string read_capacity(LunGeometry& out);
  // Sends a Logout and waits for it (best effort).
  void logout();

  iscsi_context* context() const { return ctx_; }
  int lun() const { return lun_; }

 private:
  iscsi_context* ctx_ = nullptr;
  int lun_ = 0;
  bool logged_in_ = false;
};

}  // namespace nexus::bench
