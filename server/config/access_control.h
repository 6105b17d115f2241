// LUN masking: which initiator may log in to which target, which LUNs it
// sees (read-only or read-write) and which CHAP applies. Built once from a
// Config; immutable afterwards, so lookups are lock-free and a reload simply
// builds a new AccessControl.
//
// Rules: a target without acls is open to every initiator with its `luns`.
// A target with acls admits only initiators matching one of the acl groups;
// the first matching group in acl order decides the LUN map. CHAP of that
// group (if it configures any) overrides the target's CHAP.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config_model.h"

namespace nexus::server {

struct MappedLun {
  uint32_t lun;
  std::string device;
  bool read_only;
};

// What one initiator gets on one target. Shared and immutable: a session
// keeps it for its lifetime and consults it per command.
struct AccessView {
  std::string target;
  std::string group;            // empty when the target has no acls
  std::vector<MappedLun> luns;  // sorted by lun
  Auth auth;                    // CHAP to enforce at login (may be empty)

  // Binary search; null when the LUN is not mapped for this initiator.
  const MappedLun* find(uint64_t lun) const;
};

struct AccessDecision {
  bool allowed = false;
  std::shared_ptr<const AccessView> view;  // set when allowed
  std::string reason;                      // why not, for the log
};

class AccessControl {
 public:
  AccessControl() = default;
  explicit AccessControl(const Config& config);

  AccessDecision lookup(std::string_view target, std::string_view initiator) const;
  // For SendTargets: is the target reported to this initiator at all?
  bool visible(std::string_view target, std::string_view initiator) const {
    return lookup(target, initiator).allowed;
  }

 private:
  struct Rule {
    std::vector<std::string> patterns;
    std::shared_ptr<const AccessView> view;
  };
  struct TargetRules {
    std::string name;
    std::shared_ptr<const AccessView> open;  // no acls: everyone gets this
    std::vector<Rule> rules;                 // acl order
  };
  std::vector<TargetRules> targets_;
};

}  // namespace nexus::server
