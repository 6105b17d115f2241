// Plugin descriptor and factory of the iSCSI transport.
#include <new>

#include "iscsi_transport.h"
#include "nexus/config.hpp"
#include "nexus/plugin.hpp"

namespace nexus::iscsi {
namespace {

Status create(ITransportHost* host, const IConfigNode* options, ITransport** out) noexcept {
  try {
    Options opt(options);
    TransportConfig cfg;
    cfg.nop_interval_s = uint32_t(opt.uint("nop_interval", 30, 0, 3600));
    cfg.nop_timeout_s = uint32_t(opt.uint("nop_timeout", 30, 0, 3600));
    cfg.login_timeout_s = uint32_t(opt.uint("login_timeout", 30, 0, 3600));
    cfg.cmdsn_window = uint32_t(opt.uint("cmdsn_window", 128, 1, 65536));
    TargetOffer& o = cfg.offer;
    o.max_recv_data_segment_length = uint32_t(
        opt.uint("max_recv_data_segment_length", 262144, kMinSegmentLength, kMaxSegmentLength));
    o.max_burst_length =
        uint32_t(opt.uint("max_burst_length", 1u << 20, kMinSegmentLength, kMaxSegmentLength));
    o.first_burst_length =
        uint32_t(opt.uint("first_burst_length", 65536, kMinSegmentLength, kMaxSegmentLength));
    o.max_outstanding_r2t = uint32_t(opt.uint("max_outstanding_r2t", 16, 1, 65535));
    o.immediate_data = opt.boolean("immediate_data", true);
    o.initial_r2t = opt.boolean("initial_r2t", false);
    if (o.first_burst_length > o.max_burst_length)
      opt.fail(opt.child("first_burst_length"), "must not exceed max_burst_length");
    if (!opt.ok()) return Status::invalid_argument;
    *out = new IscsiTransport(host, cfg);
    return Status::ok;
  } catch (const std::bad_alloc&) {
    return Status::no_memory;
  } catch (...) {
    return Status::error;
  }
}

const PluginDescriptor* describe() noexcept {
  static PluginDescriptor d = [] {
    PluginDescriptor x = make_descriptor(PluginKind::transport, "iscsi", "1.0.0",
                                         "iSCSI target transport (RFC 7143, ERL 0)");
    x.create_transport = &create;
    return x;
  }();
  return &d;
}

}  // namespace
}  // namespace nexus::iscsi

NEXUS_PLUGIN(nexus::iscsi::describe)
