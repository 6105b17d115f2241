#include "core/tmf_wait.h"

#include "core/nexus_session.h"
#include "core/reactor.h"

namespace nexus::server {

void TmfWait::done_one() noexcept {
  if (pending.fetch_sub(1) != 1) return;
  if (after_all) after_all();
  // Answer on the issuing nexus's reactor; `self` keeps this record (and the
  // origin nexus) alive until then.
  Nexus* n = origin.get();
  n->reactor().post_fn([n, keep = origin, tag = tmf_tag, resp = response] {
    n->events()->tmf_done(tag, resp);
    n->tmf_finished();
  });
}

}  // namespace nexus::server
