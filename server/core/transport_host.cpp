#include "core/transport_host.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>

#include "config/yaml_config_node.h"
#include "core/core.h"
#include "core/logical_unit.h"
#include "core/nexus_session.h"
#include "core/reactor.h"
#include "nexus/bytes.hpp"
#include "plugin/plugin_registry.h"

namespace nexus::server {
namespace {

void copy_field(char (&dst)[256], const std::string& src) {
  size_t n = std::min(src.size(), sizeof dst - 1);
  std::memcpy(dst, src.data(), n);
  dst[n] = 0;
}

void fill_auth(const Auth& a, AuthInfo* out) {
  std::memset(out, 0, sizeof *out);
  out->struct_size = sizeof *out;
  if (a.chap) {
    out->chap_required = 1;
    copy_field(out->chap_user, a.chap->user);
    copy_field(out->chap_secret, a.chap->secret);
  }
  if (a.mutual_chap) {
    out->mutual_required = 1;
    copy_field(out->mutual_user, a.mutual_chap->user);
    copy_field(out->mutual_secret, a.mutual_chap->secret);
  }
}

struct ShutdownWait {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
};

// The transport gets a reference of its own: if it reports done only after
// the host gave up waiting, the state it writes to is still alive.
void shutdown_done(void* ctx) noexcept {
  std::unique_ptr<std::shared_ptr<ShutdownWait>> ref(
      static_cast<std::shared_ptr<ShutdownWait>*>(ctx));
  ShutdownWait& w = **ref;
  std::lock_guard lock(w.mu);
  w.done = true;
  w.cv.notify_all();
}

}  // namespace

TransportHost::TransportHost(Core& core, const TransportCfg& cfg, const LoadedPlugin& plugin)
    : core_(core), cfg_(cfg), plugin_(plugin) {
  for (const Target& t : core.config().targets) {
    if (t.transport != cfg.plugin) continue;
    TargetEntry e{&t, {}, {}};
    for (const Portal& p : t.portals) e.portal_text.push_back(p.text());
    targets_.push_back(std::move(e));
  }
  for (auto& e : targets_)
    for (const auto& s : e.portal_text) e.portals.push_back(to_str(s));
}

TransportHost::~TransportHost() {
  if (transport_ && !abandoned_) transport_->destroy();
}

bool TransportHost::create(Diagnostics& diag) {
  options_ = YamlConfigNode::make_root(cfg_.options, cfg_.options_location,
                                       "transport '" + cfg_.plugin + "'");
  Status st = plugin_.create_transport(this, options_.get(), &transport_);
  Diagnostics errs = options_->errors();
  diag.append(errs);
  diag.append(options_->unknown_keys());
  if (st != Status::ok || !transport_) {
    if (!errs.has_errors())
      diag.error(cfg_.location, "transport plugin '" + cfg_.plugin + "' failed to start (status " +
                                    std::to_string(int(st)) + ")");
    transport_ = nullptr;
    return false;
  }
  return true;
}

bool TransportHost::start() { return transport_ && transport_->start() == Status::ok; }

bool TransportHost::shutdown(uint64_t grace_ms) {
  if (!transport_) return true;
  auto w = std::make_shared<ShutdownWait>();
  transport_->shutdown(uint32_t(grace_ms), &shutdown_done, new std::shared_ptr<ShutdownWait>(w));
  std::unique_lock lock(w->mu);
  if (w->cv.wait_for(lock, std::chrono::milliseconds(grace_ms + 3000), [&] { return w->done; }))
    return true;
  // Its sessions still live on the reactors and point at it: destroying it
  // would pull the memory from under them. The process is exiting, so the
  // transport is left to the OS, as a device with a hung command is.
  spdlog::error("transport {}: sessions did not close within the grace period; not destroying it",
                cfg_.plugin);
  abandoned_ = true;
  return false;
}

void TransportHost::log(LogLevel level, Str message) noexcept {
  spdlog::log(static_cast<spdlog::level::level_enum>(level), "[{}] {}", cfg_.plugin,
              to_sv(message));
}

uint32_t TransportHost::reactor_count() const noexcept { return core_.reactors().size(); }

IReactor* TransportHost::reactor(uint32_t index) noexcept {
  return index < core_.reactors().size() ? &core_.reactors().at(index) : nullptr;
}

IReactor* TransportHost::current_reactor() noexcept { return Reactor::current(); }

const TransportHost::TargetEntry* TransportHost::find(std::string_view name) const noexcept {
  for (const auto& e : targets_)
    if (e.target->name == name) return &e;
  return nullptr;
}

Status TransportHost::target(uint32_t index, TargetInfo* out) noexcept {
  if (index >= targets_.size() || !out) return Status::invalid_argument;
  const auto& e = targets_[index];
  out->struct_size = sizeof *out;
  out->portal_group_tag = e.target->portal_group_tag;
  out->name = to_str(e.target->name);
  out->alias = to_str(e.target->alias);
  out->portal_count = uint32_t(e.portals.size());
  out->portals = e.portals.data();
  return Status::ok;
}

Status TransportHost::authorize(Str initiator_name, Str target_name, AuthInfo* auth) noexcept {
  const TargetEntry* e = find(to_sv(target_name));
  if (!e) return Status::not_found;
  AccessDecision d = core_.access().lookup(to_sv(target_name), to_sv(initiator_name));
  if (!d.allowed) {
    spdlog::warn("login refused: {} -> {}: {}", to_sv(initiator_name), to_sv(target_name),
                 d.reason);
    return Status::denied;
  }
  if (auth) fill_auth(d.view->auth, auth);
  return Status::ok;
}

Status TransportHost::discovery_auth(Str, AuthInfo* auth) noexcept {
  if (auth) fill_auth(core_.config().discovery.auth, auth);
  return Status::ok;
}

bool TransportHost::target_visible(Str initiator_name, Str target_name) noexcept {
  return find(to_sv(target_name)) &&
         core_.access().visible(to_sv(target_name), to_sv(initiator_name));
}

Status TransportHost::open_nexus(const SessionDesc* desc, INexusEvents* events,
                                 INexus** out) noexcept {
  try {
    AccessDecision d = core_.access().lookup(to_sv(desc->target_name), to_sv(desc->initiator_name));
    if (!d.allowed) return Status::denied;
    std::vector<LunEntry> luns;
    for (const MappedLun& m : d.view->luns) {
      LogicalUnit* lu = core_.find_lu(m.device);
      if (lu && lu->device()) luns.push_back(LunEntry{m.lun, lu, m.read_only});
    }
    uint32_t r = desc->reactor < core_.reactors().size() ? desc->reactor : 0;
    auto n =
        std::make_shared<Nexus>(core_, core_.next_nexus_id(), core_.reactors().at(r), *desc, events,
                                std::move(luns), core_.config().server.session_queue_depth);
    core_.add_nexus(n);
    for (const auto& e : n->luns()) e.lu->attach_nexus(n.get());
    spdlog::info("[{}] nexus {} opened on reactor {} with {} LUN(s)", n->label(), n->id(), r,
                 n->luns().size());
    *out = n.get();
    return Status::ok;
  } catch (const std::exception& e) {
    spdlog::error("open_nexus failed: {}", e.what());
    return Status::no_memory;
  }
}

}  // namespace nexus::server
