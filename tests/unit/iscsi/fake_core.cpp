#include "fake_core.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <set>

#include "nexus/bytes.hpp"

namespace nexus::test {

using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------- reactor

class EpollReactor final : public IReactor {
 public:
  struct Watch final : IFdWatch {
    EpollReactor* r;
    int fd;
    uint32_t events = 0;
    FdCallback cb;
    void* ctx;
    bool dead = false;
    bool registered = false;
    void set_events(uint32_t ev) noexcept override { r->update(this, ev); }
    void release() noexcept override {
      r->update(this, 0);
      dead = true;
      r->graveyard_.push_back(this);
    }
  };
  struct Timer final : ITimer {
    EpollReactor* r;
    Callback cb;
    void* ctx;
    bool armed = false;
    Clock::time_point deadline;
    void arm(uint64_t ms) noexcept override {
      armed = true;
      deadline = Clock::now() + std::chrono::milliseconds(ms);
    }
    void cancel() noexcept override { armed = false; }
    void release() noexcept override {
      armed = false;
      r->timers_.erase(this);
      r->dead_timers_.push_back(this);
    }
  };

  explicit EpollReactor(uint32_t index) : index_(index) {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    ev_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event e{};
    e.events = EPOLLIN;
    e.data.ptr = nullptr;
    epoll_ctl(ep_, EPOLL_CTL_ADD, ev_, &e);
    thread_ = std::thread([this] { loop(); });
  }
  ~EpollReactor() {
    stop_ = true;
    wake();
    thread_.join();
    for (Watch* w : graveyard_) delete w;
    for (Timer* t : dead_timers_) delete t;
    close(ep_);
    close(ev_);
  }
  uint32_t index() const noexcept override { return index_; }
  bool on_this_thread() const noexcept override {
    return std::this_thread::get_id() == thread_.get_id();
  }
  void post(Callback cb, void* ctx) noexcept override {
    {
      std::lock_guard<std::mutex> l(mu_);
      posted_.emplace_back(cb, ctx);
    }
    wake();
  }
  IFdWatch* watch_fd(int fd, uint32_t events, FdCallback cb, void* ctx) noexcept override {
    auto* w = new Watch;
    w->r = this;
    w->fd = fd;
    w->cb = cb;
    w->ctx = ctx;
    update(w, events);
    return w;
  }
  ITimer* create_timer(Callback cb, void* ctx) noexcept override {
    auto* t = new Timer;
    t->r = this;
    t->cb = cb;
    t->ctx = ctx;
    timers_.insert(t);
    return t;
  }
  // Runs fn on the reactor thread and waits for it.
  void run_sync(std::function<void()> fn) {
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    struct Ctx {
      std::function<void()>* fn;
      std::mutex* m;
      std::condition_variable* cv;
      bool* done;
    } c{&fn, &m, &cv, &done};
    post(
        [](void* p) noexcept {
          auto* c = static_cast<Ctx*>(p);
          (*c->fn)();
          std::lock_guard<std::mutex> l(*c->m);
          *c->done = true;
          c->cv->notify_all();
        },
        &c);
    std::unique_lock<std::mutex> l(m);
    cv.wait(l, [&] { return done; });
  }

 private:
  void wake() {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = write(ev_, &one, sizeof one);
  }
  void update(Watch* w, uint32_t ev) {
    w->events = ev;
    epoll_event e{};
    e.events = ((ev & FdEvents::readable) ? uint32_t(EPOLLIN) : 0u) |
               ((ev & FdEvents::writable) ? uint32_t(EPOLLOUT) : 0u);
    e.data.ptr = w;
    // With no interest, unregister: a hung-up socket would otherwise spin.
    if (e.events == 0) {
      if (w->registered) epoll_ctl(ep_, EPOLL_CTL_DEL, w->fd, nullptr);
      w->registered = false;
      return;
    }
    epoll_ctl(ep_, w->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, w->fd, &e);
    w->registered = true;
  }
  void loop() {
    while (!stop_) {
      int timeout = 100;
      auto now = Clock::now();
      for (Timer* t : timers_)
        if (t->armed)
          timeout = std::min<int>(
              timeout,
              int(std::max<int64_t>(
                  0, std::chrono::duration_cast<std::chrono::milliseconds>(t->deadline - now)
                         .count())));
      epoll_event evs[64];
      int n = epoll_wait(ep_, evs, 64, timeout);
      for (int i = 0; i < n; ++i) {
        auto* w = static_cast<Watch*>(evs[i].data.ptr);
        if (!w) {
          uint64_t v;
          [[maybe_unused]] ssize_t r = read(ev_, &v, sizeof v);
          continue;
        }
        if (w->dead) continue;
        uint32_t ev = 0;
        if (evs[i].events & EPOLLIN) ev |= FdEvents::readable;
        if (evs[i].events & EPOLLOUT) ev |= FdEvents::writable;
        if (evs[i].events & (EPOLLERR | EPOLLHUP)) ev |= FdEvents::error;
        w->cb(w->ctx, ev);
      }
      std::deque<std::pair<Callback, void*>> work;
      {
        std::lock_guard<std::mutex> l(mu_);
        work.swap(posted_);
      }
      for (auto& [cb, ctx] : work) cb(ctx);
      now = Clock::now();
      std::vector<Timer*> due;
      for (Timer* t : timers_)
        if (t->armed && t->deadline <= now) due.push_back(t);
      for (Timer* t : due) {
        if (!timers_.count(t) || !t->armed) continue;
        t->armed = false;
        t->cb(t->ctx);
      }
      for (Watch* w : graveyard_) delete w;
      graveyard_.clear();
      for (Timer* t : dead_timers_) delete t;
      dead_timers_.clear();
    }
  }

  uint32_t index_;
  int ep_, ev_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::deque<std::pair<Callback, void*>> posted_;
  std::set<Timer*> timers_;
  std::vector<Watch*> graveyard_;
  std::vector<Timer*> dead_timers_;
  std::thread thread_;
};

// ------------------------------------------------------------ config node

namespace {
class Node final : public IConfigNode {
 public:
  NodeKind k;
  std::string value;
  std::map<std::string, std::unique_ptr<Node>> children;
  explicit Node(NodeKind kind, std::string v = {}) : k(kind), value(std::move(v)) {}
  NodeKind kind() const noexcept override { return k; }
  Str scalar() const noexcept override { return to_str(value); }
  uint32_t size() const noexcept override { return uint32_t(children.size()); }
  const IConfigNode* at(uint32_t i) const noexcept override {
    for (auto& [key, n] : children)
      if (i-- == 0) return n.get();
    return &missing();
  }
  Str key_at(uint32_t i) const noexcept override {
    for (auto& [key, n] : children)
      if (i-- == 0) return to_str(key);
    return Str{"", 0};
  }
  const IConfigNode* get(Str key) const noexcept override {
    auto it = children.find(std::string(to_sv(key)));
    return it == children.end() ? &missing() : it->second.get();
  }
  void error(Str message) const noexcept override {
    std::fprintf(stderr, "config error: %.*s\n", int(message.size), message.data);
  }
  static const Node& missing() {
    static Node m(NodeKind::missing);
    return m;
  }
};
}  // namespace

// ------------------------------------------------------ nexus and commands

class FakeCore::Command final : public ITransportCommand {
 public:
  Command(Nexus* n, const CommandDesc* d);
  ~Command() { core_->live_commands--; }
  uint64_t tag() const noexcept override { return tag_; }
  uint32_t iov(const IoVec** out) const noexcept override {
    *out = iov_.data();
    return uint32_t(iov_.size());
  }
  uint32_t buffer_length() const noexcept override { return uint32_t(buf_.size()); }
  void start(uint32_t received) noexcept override;
  void data_out_done(Status status) noexcept override;
  ScsiStatus status() const noexcept override { return status_; }
  ConstByteSpan sense() const noexcept override {
    return ConstByteSpan{sense_.data(), sense_.size()};
  }
  uint32_t data_in_length() const noexcept override { return data_in_; }
  uint8_t residual_flags() const noexcept override { return rflags_; }
  uint32_t residual_count() const noexcept override { return rcount_; }
  // SAM-5 5.4.2 residuals between the CDB's transfer length and the EDTL;
  // returns the bytes to move.
  uint32_t clamp_transfer(uint32_t len) {
    uint32_t edtl = uint32_t(buf_.size());
    if (len > edtl) {
      rflags_ = Residual::overflow;
      rcount_ = len - edtl;
      return edtl;
    }
    if (len < edtl) {
      rflags_ = Residual::underflow;
      rcount_ = edtl - len;
    }
    return len;
  }
  void release() noexcept override;
  void execute();
  void finish();

  Nexus* nexus_;
  FakeCore* core_;
  uint64_t tag_;
  uint8_t cdb_[16] = {};
  DataDir dir_;
  std::vector<uint8_t> buf_;
  std::vector<IoVec> iov_;
  ScsiStatus status_ = ScsiStatus::good;
  std::vector<uint8_t> sense_;
  uint32_t data_in_ = 0;
  uint8_t rflags_ = 0;
  uint32_t rcount_ = 0;
  bool responded_ = false;
  bool released_ = false;
  bool aborted_ = false;
};

class FakeCore::Nexus final : public INexus {
 public:
  Nexus(FakeCore* core, INexusEvents* events, uint32_t reactor)
      : core_(core), events_(events), reactor_(reactor) {}
  uint64_t id() const noexcept override { return uint64_t(this); }
  ITransportCommand* new_command(const CommandDesc* desc) noexcept override {
    auto* c = new Command(this, desc);
    cmds_.insert(c);
    return c;
  }
  void task_mgmt(const TmfDesc* tmf) noexcept override {
    core_->tmfs++;
    TmfResponse r = TmfResponse::function_complete;
    if (tmf->function == TmfFunction::abort_task || tmf->function == TmfFunction::lun_reset ||
        tmf->function == TmfFunction::abort_task_set) {
      std::vector<Command*> victims;
      for (Command* c : cmds_)
        if (!c->responded_ && !c->aborted_ &&
            (tmf->function != TmfFunction::abort_task || c->tag_ == tmf->referenced_tag))
          victims.push_back(c);
      if (tmf->function == TmfFunction::abort_task && victims.empty())
        r = TmfResponse::task_not_found;
      for (Command* c : victims) {
        c->aborted_ = true;
        core_->aborted++;
        core_->unpark(c);
        events_->command_aborted(c);
      }
    } else if (tmf->function == TmfFunction::query_task) {
      r = TmfResponse::task_not_found;
    }
    events_->tmf_done(tmf->tmf_tag, r);
  }
  void close(bool lost) noexcept override {
    if (lost)
      core_->nexus_lost++;
    else
      core_->nexus_logged_out++;
    for (Command* c : std::vector<Command*>(cmds_.begin(), cmds_.end()))
      if (!c->responded_ && !c->aborted_) {
        c->aborted_ = true;
        core_->unpark(c);
      }
    closing_ = true;
    // Like the real core, report closure later, from the reactor.
    core_->reactors_[reactor_]->post(
        [](void* p) noexcept {
          auto* n = static_cast<Nexus*>(p);
          n->core_->open_nexuses--;
          n->events_->closed();
          n->orphaned_ = true;
          if (n->cmds_.empty()) delete n;
        },
        this);
  }
  void log(LogLevel level, Str message) noexcept override { core_->log(level, message); }

  FakeCore* core_;
  INexusEvents* events_;
  uint32_t reactor_;
  std::set<Command*> cmds_;
  bool closing_ = false;
  bool orphaned_ = false;
};

FakeCore::Command::Command(Nexus* n, const CommandDesc* d)
    : nexus_(n), core_(n->core_), tag_(d->tag), dir_(d->dir) {
  core_->live_commands++;
  std::memcpy(cdb_, d->cdb, std::min<size_t>(16, d->cdb_length));
  uint32_t len = d->expected_length;
  buf_.resize(len);
  // Scatter the buffer over 4 KiB segments to exercise gather I/O.
  for (uint32_t off = 0; off < len; off += 4096)
    iov_.push_back(IoVec{buf_.data() + off, std::min<uint64_t>(4096, len - off)});
}

void FakeCore::Command::release() noexcept {
  released_ = true;
  Nexus* n = nexus_;
  n->cmds_.erase(this);
  delete this;
  if (n->orphaned_ && n->cmds_.empty()) delete n;
}

namespace {
void set_sense(std::vector<uint8_t>* s, uint8_t key, uint8_t asc, uint8_t ascq) {
  s->assign(18, 0);
  (*s)[0] = 0x70;
  (*s)[2] = key;
  (*s)[7] = 10;
  (*s)[12] = asc;
  (*s)[13] = ascq;
}
}  // namespace

void FakeCore::Command::start(uint32_t received) noexcept {
  if (aborted_) return;
  uint8_t op = cdb_[0];
  if (op == 0x2a) {  // WRITE(10): fetch the rest of the data first
    uint32_t len = clamp_transfer(get_be16(cdb_ + 7) * 512u);
    if (received < len) return nexus_->events_->request_data_out(this, received, len - received);
  }
  if (core_->park_commands && (op == 0x2a || op == 0x28)) {
    std::lock_guard<std::mutex> l(core_->park_mu_);
    core_->parked_.emplace_back(core_->reactors_[nexus_->reactor_].get(), this);
    return;
  }
  execute();
}

void FakeCore::Command::data_out_done(Status status) noexcept {
  if (aborted_) return;
  if (status != Status::ok) {
    status_ = ScsiStatus::check_condition;
    set_sense(&sense_, 0x0b, 0x00, 0x00);
    return finish();
  }
  if (core_->park_commands) {
    std::lock_guard<std::mutex> l(core_->park_mu_);
    core_->parked_.emplace_back(core_->reactors_[nexus_->reactor_].get(), this);
    return;
  }
  execute();
}

void FakeCore::Command::execute() {
  auto& disk = core_->disk_;
  uint8_t op = cdb_[0];
  switch (op) {
    case 0x00:  // TEST UNIT READY
      break;
    case 0x12: {  // INQUIRY
      if (cdb_[1] & 1) {
        status_ = ScsiStatus::check_condition;
        set_sense(&sense_, 0x05, 0x24, 0x00);
        break;
      }
      uint8_t inq[36] = {0x00, 0x00, 0x06, 0x02, 31, 0, 0, 0x02};
      copy_padded(inq + 8, 8, "NEXUS");
      copy_padded(inq + 16, 16, "FAKE DISK");
      copy_padded(inq + 32, 4, "1.0");
      data_in_ = std::min<uint32_t>({36, uint32_t(buf_.size()), get_be16(cdb_ + 3)});
      std::memcpy(buf_.data(), inq, data_in_);
      break;
    }
    case 0x25: {  // READ CAPACITY(10)
      uint8_t cap[8];
      put_be32(cap, uint32_t(disk.size() / 512 - 1));
      put_be32(cap + 4, 512);
      data_in_ = std::min<uint32_t>(8, uint32_t(buf_.size()));
      std::memcpy(buf_.data(), cap, data_in_);
      break;
    }
    case 0xa0: {  // REPORT LUNS: LUN 0 only
      uint8_t r[16] = {0, 0, 0, 8};
      data_in_ = std::min<uint32_t>(16, uint32_t(buf_.size()));
      std::memcpy(buf_.data(), r, data_in_);
      break;
    }
    case 0x28:
    case 0x2a: {  // READ(10) / WRITE(10)
      uint64_t lba = get_be32(cdb_ + 2);
      uint64_t blocks_len = uint64_t(get_be16(cdb_ + 7)) * 512;
      if ((lba * 512 + blocks_len) > disk.size()) {
        status_ = ScsiStatus::check_condition;
        set_sense(&sense_, 0x05, 0x21, 0x00);
        rflags_ = 0;
        break;
      }
      uint64_t len = clamp_transfer(uint32_t(blocks_len));
      if (op == 0x28) {
        std::memcpy(buf_.data(), disk.data() + lba * 512, len);
        data_in_ = uint32_t(len);
      } else {
        std::memcpy(disk.data() + lba * 512, buf_.data(), len);
      }
      break;
    }
    default:
      status_ = ScsiStatus::check_condition;
      set_sense(&sense_, 0x05, 0x20, 0x00);
  }
  finish();
}

void FakeCore::Command::finish() {
  if (aborted_ || responded_) return;
  responded_ = true;
  nexus_->events_->send_response(this);
}

void FakeCore::unpark(Command* c) {
  std::lock_guard<std::mutex> l(park_mu_);
  parked_.erase(
      std::remove_if(parked_.begin(), parked_.end(), [&](auto& p) { return p.second == c; }),
      parked_.end());
}

void FakeCore::release_parked() {
  park_commands = false;
  std::vector<std::pair<IReactor*, Command*>> p;
  {
    std::lock_guard<std::mutex> l(park_mu_);
    p.swap(parked_);
  }
  for (auto& [r, c] : p) {
    static_cast<EpollReactor*>(r)->run_sync([c = c, this] {
      // Still parked (not aborted meanwhile)?
      (void)this;
      if (!c->aborted_) c->execute();
    });
  }
}

// ------------------------------------------------------------------ core

namespace {
uint16_t free_port() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}
}  // namespace

FakeCore::FakeCore(std::map<std::string, std::string> options, uint32_t reactors) {
  disk_.assign(16u << 20, 0);
  for (uint32_t i = 0; i < reactors; ++i) reactors_.push_back(std::make_unique<EpollReactor>(i));
  names_ = {kTarget, kHiddenTarget};
  aliases_ = {"disk", ""};

  dl_ = dlopen(NEXUS_ISCSI_PLUGIN, RTLD_NOW | RTLD_LOCAL);
  if (!dl_) {
    std::fprintf(stderr, "dlopen: %s\n", dlerror());
    return;
  }
  // Boost.DLL aliases are variables holding the function's address.
  auto* alias = static_cast<const void* const*>(dlsym(dl_, NEXUS_PLUGIN_ENTRY_SYMBOL));
  if (!alias) return;
  auto entry = reinterpret_cast<PluginEntryFn>(const_cast<void*>(*alias));
  const PluginDescriptor* d = entry();
  if (!d || d->kind != PluginKind::transport || std::string(d->name) != "iscsi") return;
  Node opts(NodeKind::map);
  for (auto& [k, v] : options) opts.children[k] = std::make_unique<Node>(NodeKind::scalar, v);
  // Tests run in parallel: retry when another process grabbed the port.
  for (int attempt = 0; attempt < 10 && !started_; ++attempt) {
    port_ = free_port();
    portal_strings_ = {portal(), portal6()};
    portals_ = {to_str(portal_strings_[0]), to_str(portal_strings_[1])};
    if (d->create_transport(this, &opts, &transport_) != Status::ok) return;
    started_ = transport_->start() == Status::ok;
    if (!started_) {
      transport_->destroy();
      transport_ = nullptr;
    }
  }
}

FakeCore::~FakeCore() {
  if (transport_ && !shut_down_) shutdown(100, 5000);
  if (transport_) transport_->destroy();
  reactors_.clear();  // joins the threads
  // The plugin stays loaded: gtest may still hold no references, but
  // unloading is not needed for the tests.
}

bool FakeCore::shutdown(uint32_t grace_ms, uint32_t wait_ms) {
  shut_down_ = true;
  std::atomic<bool> done{false};
  transport_->shutdown(
      grace_ms, [](void* p) noexcept { static_cast<std::atomic<bool>*>(p)->store(true); }, &done);
  bool ok = wait_for([&] { return done.load(); }, int(wait_ms));
  if (!ok) wait_for([&] { return done.load(); }, 10000);  // never leave it dangling
  return ok;
}

bool FakeCore::wait_for(const std::function<bool()>& pred, int ms) {
  auto end = Clock::now() + std::chrono::milliseconds(ms);
  while (Clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

void FakeCore::log(LogLevel level, Str message) noexcept {
  std::string m(to_sv(message));
  if (std::getenv("NEXUS_TEST_VERBOSE")) std::fprintf(stderr, "[%d] %s\n", int(level), m.c_str());
  std::lock_guard<std::mutex> l(log_mu_);
  logs_.push_back(std::move(m));
}

std::vector<std::string> FakeCore::logs() {
  std::lock_guard<std::mutex> l(log_mu_);
  return logs_;
}

uint32_t FakeCore::reactor_count() const noexcept { return uint32_t(reactors_.size()); }
IReactor* FakeCore::reactor(uint32_t index) noexcept {
  return index < reactors_.size() ? reactors_[index].get() : nullptr;
}
IReactor* FakeCore::current_reactor() noexcept {
  for (auto& r : reactors_)
    if (r->on_this_thread()) return r.get();
  return nullptr;
}
uint32_t FakeCore::target_count() const noexcept { return 2; }

Status FakeCore::target(uint32_t index, TargetInfo* out) noexcept {
  if (index >= 2) return Status::not_found;
  out->portal_group_tag = uint16_t(index + 1);
  out->name = to_str(names_[index]);
  out->alias = to_str(aliases_[index]);
  out->portal_count = uint32_t(portals_.size());
  out->portals = portals_.data();
  return Status::ok;
}

namespace {
void fill(const FakeAuth& a, AuthInfo* out) {
  out->chap_required = a.chap_required;
  out->mutual_required = a.mutual_required;
  std::snprintf(out->chap_user, sizeof out->chap_user, "%s", a.user.c_str());
  std::snprintf(out->chap_secret, sizeof out->chap_secret, "%s", a.secret.c_str());
  std::snprintf(out->mutual_user, sizeof out->mutual_user, "%s", a.mutual_user.c_str());
  std::snprintf(out->mutual_secret, sizeof out->mutual_secret, "%s", a.mutual_secret.c_str());
}
}  // namespace

Status FakeCore::authorize(Str initiator, Str target, AuthInfo* auth) noexcept {
  std::string t(to_sv(target));
  if (t != kTarget && t != kHiddenTarget) return Status::not_found;
  if (t == kHiddenTarget && to_sv(initiator) == hidden_for) return Status::denied;
  fill(target_auth, auth);
  return Status::ok;
}

Status FakeCore::discovery_auth(Str, AuthInfo* auth) noexcept {
  fill(discovery, auth);
  return Status::ok;
}

bool FakeCore::target_visible(Str initiator, Str target) noexcept {
  return !(to_sv(target) == kHiddenTarget && to_sv(initiator) == hidden_for);
}

Status FakeCore::open_nexus(const SessionDesc* desc, INexusEvents* events, INexus** out) noexcept {
  if (desc->struct_size != sizeof(SessionDesc) || desc->transport_id.size < 24)
    return Status::invalid_argument;
  open_nexuses++;
  *out = new Nexus(this, events, desc->reactor);
  return Status::ok;
}

}  // namespace nexus::test
