#include "core/core.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "config/yaml_config_node.h"
#include "core/logical_unit.h"
#include "core/nexus_session.h"
#include "core/reservation_dispatch.h"
#include "core/spc_bridge.h"
#include "core/tmf_wait.h"
#include "core/transport_host.h"
#include "plugin/plugin_registry.h"

namespace nexus::server {

Core::Core(const Config& config, const PluginRegistry& plugins, bool check_only)
    : config_(config),
      plugins_(plugins),
      check_only_(check_only),
      access_(config),
      reactors_(std::make_unique<ReactorPool>(check_only ? 1 : config.server.reactors)),
      buffers_(std::make_unique<BufferPool>(config.server.buffer_memory,
                                            config.server.buffer_memory / 4)) {}

Core::~Core() {
  if (abandoned_) {
    // Threads still run code that points into all of this (see shutdown()).
    for (auto& t : transports_) (void)t.release();
    for (auto& lu : lus_) (void)lu.release();
    (void)reactors_.release();
    (void)buffers_.release();
    (void)new auto(std::move(nexuses_));
    return;
  }
  drain_reactors();
  transports_.clear();
  lus_.clear();
  reactors_->stop_and_join();
}

LogicalUnit* Core::find_lu(std::string_view device) noexcept {
  for (auto& lu : lus_)
    if (lu->device_name() == device) return lu.get();
  return nullptr;
}

LogicalUnit* Core::add_device(const std::string& name, IDevice* device) {
  auto lu = std::make_unique<LogicalUnit>(*this, name, config_.server.state_dir, check_only_);
  lu->set_queue_limit(config_.server.lun_queue_depth);
  lu->attach_device(device);
  lus_.push_back(std::move(lu));
  return lus_.back().get();
}

bool Core::build(Diagnostics& diag) {
  bool ok = true;
  // Devices may persist state while they are created (a changer's element map).
  if (!check_only_ && !config_.server.state_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(config_.server.state_dir, ec);
    if (ec)
      spdlog::warn("state directory {}: {} (persistent state will not be saved)",
                   config_.server.state_dir, ec.message());
  }
  for (const Device& d : config_.devices) {
    const LoadedPlugin* p = plugins_.find(PluginKind::device, d.handler);
    if (!p) {
      ok = false;  // check_plugin_references() reported it
      continue;
    }
    auto lu = std::make_unique<LogicalUnit>(*this, d.name, config_.server.state_dir, check_only_);
    lu->set_queue_limit(config_.server.lun_queue_depth);
    auto opts = YamlConfigNode::make_root(d.options, d.options_location, "device '" + d.name + "'");
    IDevice* dev = nullptr;
    Status st = p->create_device(lu.get(), opts.get(), &dev);
    Diagnostics errs = opts->errors();
    diag.append(errs);
    diag.append(opts->unknown_keys());
    if (st != Status::ok || !dev) {
      if (!errs.has_errors())
        diag.error(d.location, "handler '" + d.handler + "' could not create device '" + d.name +
                                   "' (status " + std::to_string(int(st)) + ")");
      ok = false;
      if (dev) dev->destroy();
      continue;
    }
    lu->attach_device(dev);
    lu->keep_options(std::move(opts));
    lus_.push_back(std::move(lu));
  }
  // Relative target port ids (TPGTs) through which each LU is exported, for
  // ALL_TG_PT and REGISTER AND MOVE.
  for (auto& lu : lus_) {
    std::vector<uint16_t> ports;
    for (const Target& t : config_.targets) {
      bool maps = false;
      for (const LunMap& m : t.luns) maps |= m.device == lu->device_name();
      for (const Acl& a : t.acls)
        for (const LunMap& m : a.luns) maps |= m.device == lu->device_name();
      if (maps && std::find(ports.begin(), ports.end(), t.portal_group_tag) == ports.end())
        ports.push_back(t.portal_group_tag);
    }
    lu->init_reservations(std::move(ports));
  }
  // One transport instance per plugin that some target uses.
  std::vector<std::string> needed;
  for (const Target& t : config_.targets)
    if (std::find(needed.begin(), needed.end(), t.transport) == needed.end())
      needed.push_back(t.transport);
  for (const std::string& name : needed) {
    // The loader adds a transports: entry for every transport a target uses.
    const TransportCfg* cfg = config_.find_transport(name);
    const LoadedPlugin* p = plugins_.find(PluginKind::transport, name);
    if (!cfg || !p) {
      ok = false;
      continue;
    }
    // Creating a transport only validates its options; start() listens, so
    // --check-config opens no sockets.
    auto host = std::make_unique<TransportHost>(*this, *cfg, *p);
    if (!host->create(diag)) {
      ok = false;
      continue;
    }
    transports_.push_back(std::move(host));
  }
  return ok && !diag.has_errors();
}

bool Core::start() {
  reactors_->start();
  started_ = true;
  bool ok = true;
  for (auto& t : transports_) ok = t->start() && ok;
  return ok;
}

bool Core::drain_reactors() {
  // A transport's last posts (a logout request racing a session that just
  // ended) may still be queued and point at it: run them before it is freed.
  // Three rounds cover a handler that posts to another reactor in turn.
  if (reactors_->drain(3, 2000)) return true;
  spdlog::error("a reactor did not answer within 2 s at shutdown; a handler may be stuck");
  return false;
}

bool Core::shutdown() {
  if (!started_) return !abandoned_;
  bool clean = true;
  for (auto& t : transports_) clean = t->shutdown(config_.server.shutdown_grace_ms) && clean;
  {
    // Transports have closed their nexuses; wait for in-flight commands.
    std::unique_lock lock(nexus_mu_);
    nexus_cv_.wait_for(lock, std::chrono::seconds(5), [&] { return nexuses_.empty(); });
    if (!nexuses_.empty()) {
      spdlog::error("{} nexus(es) still open at shutdown", nexuses_.size());
      clean = false;
    }
  }
  clean = drain_reactors() && clean;
  if (!clean) {
    // Sessions, commands or handlers still run and point at transports,
    // nexuses, LUs and reactors: freeing any of them would crash the exit.
    spdlog::error("shutdown incomplete: leaving what still runs to the process exit");
    abandoned_ = true;
    started_ = false;
    return false;
  }
  transports_.clear();
  reactors_->stop_and_join();
  for (auto& lu : lus_) clean = lu->shutdown() && clean;
  if (!clean) abandoned_ = true;
  started_ = false;
  return clean;
}

std::shared_ptr<Nexus> Core::add_nexus(std::shared_ptr<Nexus> n) {
  std::lock_guard lock(nexus_mu_);
  nexuses_[n->id()] = n;
  return n;
}

void Core::remove_nexus(uint64_t id) noexcept {
  std::shared_ptr<Nexus> keep;
  {
    std::lock_guard lock(nexus_mu_);
    auto it = nexuses_.find(id);
    if (it == nexuses_.end()) return;
    keep = std::move(it->second);
    nexuses_.erase(it);
    nexus_cv_.notify_all();
  }
  // The nexus is usually on the stack that called us: free it later.
  Reactor& r = keep->reactor();
  r.post_fn([k = std::move(keep)] {});
}

size_t Core::nexus_count() const {
  std::lock_guard lock(nexus_mu_);
  return nexuses_.size();
}

void Core::clear_task_set(Nexus& origin, LogicalUnit* lu, const std::shared_ptr<TmfWait>& wait,
                          bool lu_reset) noexcept {
  abort_lu_tasks(lu, origin.id(), wait, !lu_reset);
  if (lu_reset) {
    auto prev = std::move(wait->after_all);
    wait->after_all = [lu, prev] {
      if (prev) prev();
      if (lu->device()) lu->device()->reset(ResetKind::lun_reset);
      {
        // SPC-2 5.5.1: a reset releases SPC-2 reservations; persistent
        // reservations survive it (SPC-4 5.13.1).
        std::lock_guard lock(lu->mu());
        lu->reservations().lu_reset();
      }
      // SAM-5 6.3.3: LOGICAL UNIT RESET establishes BUS DEVICE RESET FUNCTION
      // OCCURRED (29h/03h) for every I_T nexus of the LU.
      lu->raise_ua(UaScope::all_nexuses, 0, 0x29, 0x03);
    };
  }
}

void Core::abort_lu_tasks(LogicalUnit* lu, uint64_t origin_id, const std::shared_ptr<TmfWait>& wait,
                          bool ua_for_others) noexcept {
  bool tas = task_aborted_status(lu);
  for (auto& n : lu->nexuses()) {
    bool other = n->id() != origin_id;
    if (wait) wait->pending.fetch_add(1);
    n->reactor().post_fn([n, lu, wait, other, tas, ua_for_others] {
      // SAM-5 7.4/7.5: another nexus's tasks end with TASK ABORTED when TAS=1;
      // with TAS=0 they vanish and that nexus gets COMMANDS CLEARED BY
      // ANOTHER INITIATOR (2Fh/00h) - unless a reset UA covers it.
      bool had = n->has_task(lu, false, 0);
      n->abort_matching(lu, false, 0, other && tas, wait);
      if (other && had && !tas && ua_for_others) lu->raise_ua(UaScope::only, n->id(), 0x2F, 0x00);
      if (wait) wait->done_one();
    });
  }
}

void Core::nexus_reset(Nexus& origin, const std::shared_ptr<TmfWait>& wait) noexcept {
  origin.abort_matching(nullptr, false, 0, false, wait);
  uint64_t id = origin.id();
  std::vector<LogicalUnit*> lus;
  for (const auto& e : origin.luns()) lus.push_back(e.lu);
  auto self = origin.shared_from_this();
  wait->after_all = [lus, id, self] {
    release_nexus_reservations(*self);
    // SAM-5 6.3.4: I_T NEXUS RESET -> I_T NEXUS LOSS OCCURRED (29h/07h), and
    // per-nexus device state (PREVENT) ends as on any nexus loss.
    for (LogicalUnit* lu : lus) {
      if (lu->device()) lu->device()->nexus_lost(id);
      lu->raise_ua(UaScope::only, id, 0x29, 0x07);
    }
  };
}

void Core::nexus_closing(Nexus& n, bool) noexcept { release_nexus_reservations(n); }

}  // namespace nexus::server
