#include "access_control.h"

#include <algorithm>

#include "initiator_pattern.h"

namespace nexus::server {
namespace {

std::shared_ptr<const AccessView> make_view(const Target& t, std::string group,
                                            const std::vector<LunMap>& luns, Auth auth) {
  auto v = std::make_shared<AccessView>();
  v->target = t.name;
  v->group = std::move(group);
  for (const auto& l : luns) v->luns.push_back(MappedLun{l.lun, l.device, l.read_only});
  std::sort(v->luns.begin(), v->luns.end(),
            [](const MappedLun& a, const MappedLun& b) { return a.lun < b.lun; });
  v->auth = std::move(auth);
  return v;
}

bool same_name(std::string_view a, std::string_view b) {
  // Pattern without wildcards = case-insensitive equality.
  return a.size() == b.size() && initiator_matches(a, b);
}

}  // namespace

const MappedLun* AccessView::find(uint64_t lun) const {
  auto it = std::lower_bound(luns.begin(), luns.end(), lun,
                             [](const MappedLun& m, uint64_t l) { return m.lun < l; });
  return it != luns.end() && it->lun == lun ? &*it : nullptr;
}

AccessControl::AccessControl(const Config& config) {
  for (const auto& t : config.targets) {
    TargetRules tr;
    tr.name = t.name;
    if (t.acls.empty()) {
      tr.open = make_view(t, "", t.luns, t.auth);
    } else {
      for (const auto& acl : t.acls) {
        const InitiatorGroup* g = config.find_group(acl.group);
        if (!g) continue;  // the loader rejected such a config already
        Auth auth = (g->auth.chap || g->auth.mutual_chap) ? g->auth : t.auth;
        tr.rules.push_back(Rule{g->initiators, make_view(t, g->name, acl.luns, std::move(auth))});
      }
    }
    targets_.push_back(std::move(tr));
  }
}

AccessDecision AccessControl::lookup(std::string_view target, std::string_view initiator) const {
  AccessDecision d;
  for (const auto& t : targets_) {
    if (!same_name(t.name, target)) continue;
    if (t.open) {
      d.allowed = true;
      d.view = t.open;
      return d;
    }
    for (const auto& r : t.rules) {
      for (const auto& p : r.patterns) {
        if (initiator_matches(p, initiator)) {
          d.allowed = true;
          d.view = r.view;
          return d;
        }
      }
    }
    d.reason = "initiator '" + std::string(initiator) + "' is in no initiator group allowed on '" +
               t.name + "'";
    return d;
  }
  d.reason = "no such target '" + std::string(target) + "'";
  return d;
}

}  // namespace nexus::server
