#include "iscsi_transport.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "connection.h"
#include "nexus/bytes.hpp"
#include "socket_util.h"

namespace nexus::iscsi {

IscsiTransport::IscsiTransport(ITransportHost* host, const TransportConfig& cfg)
    : host_(host), cfg_(cfg) {}

void IscsiTransport::log(LogLevel level, const std::string& msg) { host_->log(level, to_str(msg)); }

Status IscsiTransport::start() noexcept {
  std::set<std::string> portals;
  uint32_t n = host_->target_count();
  for (uint32_t i = 0; i < n; ++i) {
    TargetInfo ti{};
    ti.struct_size = sizeof ti;
    if (host_->target(i, &ti) != Status::ok) continue;
    DiscoveryTarget t;
    t.name = std::string(to_sv(ti.name));
    t.portal_group_tag = ti.portal_group_tag;
    for (uint32_t p = 0; p < ti.portal_count; ++p) {
      t.portals.emplace_back(to_sv(ti.portals[p]));
      portals.insert(t.portals.back());
    }
    targets_.push_back(std::move(t));
  }
  for (const auto& portal : portals) {
    sockaddr_storage ss;
    socklen_t len = 0;
    std::string err;
    int fd = -1;
    if (parse_portal(portal, &ss, &len, &err)) fd = make_listener(ss, len, &err);
    if (fd < 0) {
      log(LogLevel::error, "iscsi: cannot listen on " + portal + ": " + err);
      for (Listener* l : listeners_) {
        ::close(l->fd);
        delete l;
      }
      listeners_.clear();
      return Status::error;
    }
    auto* l = new Listener;
    l->fd = fd;
    l->portal = portal;
    l->owner = this;
    listeners_.push_back(l);
    log(LogLevel::info, "iscsi: listening on " + portal);
  }
  // Watches are registered on reactor 0's own thread.
  host_->reactor(0)->post(
      [](void* ctx) noexcept {
        auto* self = static_cast<IscsiTransport*>(ctx);
        if (self->shutting_down_) return;
        for (Listener* l : self->listeners_)
          l->watch = self->host_->reactor(0)->watch_fd(l->fd, FdEvents::readable, &on_accept, l);
      },
      this);
  return Status::ok;
}

void IscsiTransport::on_accept(void* ctx, uint32_t) noexcept {
  auto* l = static_cast<Listener*>(ctx);
  l->owner->accept_ready(l);
}

namespace {
struct Handoff {
  IscsiTransport* transport;
  IReactor* reactor;
  int fd;
};
}  // namespace

void IscsiTransport::accept_ready(Listener* l) {
  for (int i = 0; i < 64; ++i) {
    int fd = accept4(l->fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        log(LogLevel::warn, std::string("iscsi: accept: ") + std::strerror(errno));
      return;
    }
    if (shutting_down_) {
      ::close(fd);
      continue;
    }
    // Round-robin over the reactors; the connection lives there for good.
    uint32_t count = std::max<uint32_t>(host_->reactor_count(), 1);
    IReactor* r = host_->reactor(next_reactor_++ % count);
    live_++;
    auto* h = new Handoff{this, r, fd};
    r->post(
        [](void* ctx) noexcept {
          auto* h = static_cast<Handoff*>(ctx);
          auto* c = new Connection(h->transport, h->reactor, h->fd);
          delete h;
          c->start();
        },
        h);
  }
}

uint64_t IscsiTransport::register_connection(Connection* c, uint32_t reactor) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t id = next_id_++;
  conns_[id] = Entry{c, reactor};
  return id;
}

void IscsiTransport::connection_destroyed(uint64_t id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    conns_.erase(id);
  }
  live_--;
  check_done();
}

bool IscsiTransport::find_session(const std::string& key, uint64_t* conn_id, uint32_t* reactor) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return false;
  auto c = conns_.find(it->second);
  if (c == conns_.end()) return false;
  *conn_id = it->second;
  *reactor = c->second.reactor;
  return true;
}

uint16_t IscsiTransport::register_session(const std::string& key, uint64_t conn_id) {
  std::lock_guard<std::mutex> lock(mu_);
  uint16_t tsih;
  do {
    tsih = next_tsih_++;
  } while (tsih == 0 || tsihs_.count(tsih));
  tsihs_[tsih] = conn_id;
  if (!key.empty()) sessions_[key] = conn_id;
  return tsih;
}

void IscsiTransport::unregister_session(const std::string& key, uint64_t conn_id, uint16_t tsih) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(key);
  if (it != sessions_.end() && it->second == conn_id) sessions_.erase(it);
  auto t = tsihs_.find(tsih);
  if (t != tsihs_.end() && t->second == conn_id) tsihs_.erase(t);
}

bool IscsiTransport::session_exists(uint16_t tsih) {
  std::lock_guard<std::mutex> lock(mu_);
  return tsihs_.count(tsih) != 0;
}

namespace {
struct Message {
  IscsiTransport* transport;
  uint64_t conn_id;
  IscsiTransport::Op op;
  uint64_t arg;
  uint32_t arg2;
};
}  // namespace

void IscsiTransport::send(uint64_t conn_id, Op op, uint64_t arg, uint32_t arg2) {
  uint32_t reactor;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = conns_.find(conn_id);
    if (it == conns_.end()) return;
    reactor = it->second.reactor;
  }
  send_to(reactor, conn_id, op, arg, arg2);
}

void IscsiTransport::send_to(uint32_t reactor, uint64_t conn_id, Op op, uint64_t arg,
                             uint32_t arg2) {
  auto* m = new Message{this, conn_id, op, arg, arg2};
  host_->reactor(reactor)->post(
      [](void* ctx) noexcept {
        auto* m = static_cast<Message*>(ctx);
        Connection* c = nullptr;
        {
          std::lock_guard<std::mutex> lock(m->transport->mu_);
          auto it = m->transport->conns_.find(m->conn_id);
          if (it != m->transport->conns_.end()) c = it->second.conn;
        }
        // Only this reactor destroys its connections, so c stays valid here.
        if (c) {
          c->on_message(m->op, m->arg, m->arg2);
        } else if (m->op == Op::reinstate) {
          // The old session is already gone: let the new login proceed.
          m->transport->send_to(m->arg2, m->arg, Op::resume_login);
        }
        delete m;
      },
      m);
}

Access IscsiTransport::authorize(std::string_view initiator, std::string_view target,
                                 LoginPolicy* out) {
  AuthInfo a{};
  a.struct_size = sizeof a;
  Status st = host_->authorize(to_str(initiator), to_str(target), &a);
  if (st == Status::not_found) return Access::not_found;
  if (st == Status::denied) return Access::denied;
  if (st != Status::ok) return Access::error;
  out->chap_required = a.chap_required;
  out->mutual_required = a.mutual_required;
  out->chap_user.assign(a.chap_user, strnlen(a.chap_user, sizeof a.chap_user));
  out->chap_secret.assign(a.chap_secret, strnlen(a.chap_secret, sizeof a.chap_secret));
  out->mutual_user.assign(a.mutual_user, strnlen(a.mutual_user, sizeof a.mutual_user));
  out->mutual_secret.assign(a.mutual_secret, strnlen(a.mutual_secret, sizeof a.mutual_secret));
  return Access::ok;
}

Access IscsiTransport::discovery_auth(std::string_view initiator, LoginPolicy* out) {
  AuthInfo a{};
  a.struct_size = sizeof a;
  Status st = host_->discovery_auth(to_str(initiator), &a);
  if (st == Status::denied) return Access::denied;
  if (st != Status::ok) return Access::error;
  out->chap_required = a.chap_required;
  out->mutual_required = a.mutual_required;
  out->chap_user.assign(a.chap_user, strnlen(a.chap_user, sizeof a.chap_user));
  out->chap_secret.assign(a.chap_secret, strnlen(a.chap_secret, sizeof a.chap_secret));
  out->mutual_user.assign(a.mutual_user, strnlen(a.mutual_user, sizeof a.mutual_user));
  out->mutual_secret.assign(a.mutual_secret, strnlen(a.mutual_secret, sizeof a.mutual_secret));
  return Access::ok;
}

bool IscsiTransport::target_info(std::string_view target, uint16_t* tpgt, std::string* alias) {
  uint32_t n = host_->target_count();
  for (uint32_t i = 0; i < n; ++i) {
    TargetInfo ti{};
    ti.struct_size = sizeof ti;
    if (host_->target(i, &ti) != Status::ok || to_sv(ti.name) != target) continue;
    *tpgt = ti.portal_group_tag;
    alias->assign(to_sv(ti.alias));
    return true;
  }
  return false;
}

void IscsiTransport::warn(std::string_view message) {
  log(LogLevel::warn, "iscsi: " + std::string(message));
}

void IscsiTransport::shutdown(uint32_t grace_ms, Callback done, void* ctx) noexcept {
  done_ = done;
  done_ctx_ = ctx;
  grace_s_ = std::max<uint32_t>(grace_ms / 1000, 1);
  shutting_down_ = true;
  struct Ctx {
    IscsiTransport* self;
    uint32_t grace_ms;
  };
  host_->reactor(0)->post(
      [](void* p) noexcept {
        auto* c = static_cast<Ctx*>(p);
        IscsiTransport* self = c->self;
        for (Listener* l : self->listeners_) {
          if (l->watch) l->watch->release();
          ::close(l->fd);
          delete l;
        }
        self->listeners_.clear();
        // Ask every session to log out (AsyncEvent 1), drop them at the deadline.
        std::vector<uint64_t> ids;
        {
          std::lock_guard<std::mutex> lock(self->mu_);
          for (auto& [id, e] : self->conns_) ids.push_back(id);
        }
        for (uint64_t id : ids) self->send(id, Op::request_logout, self->grace_s_);
        self->grace_timer_ = self->host_->reactor(0)->create_timer(
            [](void* s) noexcept {
              auto* self = static_cast<IscsiTransport*>(s);
              std::vector<uint64_t> ids;
              {
                std::lock_guard<std::mutex> lock(self->mu_);
                for (auto& [id, e] : self->conns_) ids.push_back(id);
              }
              for (uint64_t id : ids) self->send(id, Op::force_drop);
            },
            self);
        if (self->grace_timer_) self->grace_timer_->arm(c->grace_ms);
        delete c;
        self->listeners_closed_ = true;
        self->check_done();
      },
      new Ctx{this, grace_ms});
}

void IscsiTransport::check_done() {
  if (!shutting_down_ || !listeners_closed_ || live_.load() != 0) return;
  if (done_called_.exchange(true)) return;
  host_->reactor(0)->post(
      [](void* s) noexcept { static_cast<IscsiTransport*>(s)->finish_shutdown(); }, this);
}

void IscsiTransport::finish_shutdown() {
  if (grace_timer_) grace_timer_->release();
  grace_timer_ = nullptr;
  log(LogLevel::info, "iscsi: transport stopped");
  if (done_) done_(done_ctx_);
}

void IscsiTransport::destroy() noexcept {
  for (Listener* l : listeners_) {  // shutdown() was never called
    if (l->watch) l->watch->release();
    ::close(l->fd);
    delete l;
  }
  listeners_.clear();
  delete this;
}

}  // namespace nexus::iscsi
