#include "report.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nexus::bench {
namespace {

// One named figure; unset optionals print as "-" (kv/table) or null (JSON).
struct Field {
  std::string key;
  std::optional<double> number;
  std::string text;  // used when is_text
  bool is_text = false;
  int decimals = 0;
};

std::optional<double> per(std::optional<double> value, double divisor, double scale = 1.0) {
  if (!value || divisor <= 0) return std::nullopt;
  return *value * scale / divisor;
}

template <typename T>
std::optional<double> as_double(const std::optional<T>& v) {
  if (!v) return std::nullopt;
  return static_cast<double>(*v);
}

std::vector<Field> fields(const RunResult& r) {
  auto num = [](std::string k, std::optional<double> v, int d) {
    return Field{std::move(k), v, "", false, d};
  };
  auto txt = [](std::string k, std::string v) {
    return Field{std::move(k), 0, std::move(v), true, 0};
  };
  auto lat = [&](double q) -> std::optional<double> {
    if (!r.has_latency) return std::nullopt;
    return static_cast<double>(r.latency.quantile(q)) / 1000.0;
  };
  const double cmds = static_cast<double>(r.commands);
  std::vector<Field> f = {
      txt("label", r.label),
      txt("status", r.failed ? "failed" : (r.errors.hard() ? "errors" : "ok")),
      txt("target", r.target_comm),
      txt("engine", r.engine),
      num("sessions", r.sessions, 0),
      num("qd", r.queue_depth, 0),
      num("bs", r.io_bytes, 0),
      txt("pattern", r.pattern),
      num("read_pct", r.read_percent, 0),
      num("secs", r.seconds, 3),
      num("cmds", cmds, 0),
      num("iops", r.iops(), 0),
      num("mbps", r.mb_per_s(), 1),
      num("lat_mean_us",
          r.has_latency ? std::optional<double>(r.latency.mean() / 1000.0) : std::nullopt, 1),
      num("lat_p50_us", lat(0.50), 1),
      num("lat_p99_us", lat(0.99), 1),
      num("lat_p999_us", lat(0.999), 1),
      num("lat_max_us",
          r.has_latency ? std::optional<double>(r.latency.max() / 1000.0) : std::nullopt, 1),
      num("errors", static_cast<double>(r.errors.total()), 0),
      num("err_task_set_full", static_cast<double>(r.errors.task_set_full), 0),
      num("err_busy", static_cast<double>(r.errors.busy), 0),
      num("err_check_condition", static_cast<double>(r.errors.check_condition), 0),
      num("err_other_status", static_cast<double>(r.errors.other_status), 0),
      num("err_transport", static_cast<double>(r.errors.transport), 0),
      num("err_submit", static_cast<double>(r.errors.submit), 0),
      num("ini_cpu_pct",
          r.seconds > 0 ? std::optional<double>(100.0 * r.initiator_cpu_seconds / r.seconds)
                        : std::nullopt,
          1),
      num("tgt_cpu_pct", per(r.target_cpu_seconds, r.seconds, 100.0), 1),
      num("tgt_cpu_s_per_mcmd", per(r.target_cpu_seconds, cmds, 1e6), 2),
      num("tgt_cpu_s_per_gb", per(r.target_cpu_seconds, static_cast<double>(r.bytes), 1e9), 3),
      num("tgt_csw_per_cmd", per(as_double(r.target_context_switches), cmds), 4),
      num("tgt_allocs_per_cmd", per(as_double(r.target_allocations), cmds), 3),
      num("tgt_syscalls_per_cmd", per(as_double(r.target_syscalls), cmds), 3),
      num("tgt_peak_rss_mib", per(as_double(r.target_peak_rss_kib), 1024.0), 1),
      num("cmds_total", static_cast<double>(r.commands_total), 0),
      txt("last_error", r.last_error),
      txt("probe_note", r.probe_note),
  };
  return f;
}

std::string format_number(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string json_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\')
      o += '\\', o += c;
    else if (static_cast<unsigned char>(c) < 0x20)
      o += ' ';
    else
      o += c;
  }
  return o;
}

}  // namespace

void print_key_values(const RunResult& r, std::FILE* out) {
  std::string line;
  for (const Field& f : fields(r)) {
    if (!line.empty()) line += ' ';
    line += f.key + '=';
    if (f.is_text) {
      // Values never contain spaces in this format: the parser splits on them.
      std::string v = f.text.empty() ? "-" : f.text;
      for (char& c : v)
        if (c == ' ' || c == '\t' || c == '\n') c = '_';
      line += v;
    } else {
      line += f.number ? format_number(*f.number, f.decimals) : "-";
    }
  }
  std::fprintf(out, "%s\n", line.c_str());
}

void print_json(const RunResult& r, std::FILE* out) {
  std::string line = "{";
  for (const Field& f : fields(r)) {
    if (line.size() > 1) line += ',';
    line += '"' + f.key + "\":";
    if (f.is_text)
      line += '"' + json_escape(f.text) + '"';
    else
      line += f.number ? format_number(*f.number, f.decimals) : "null";
  }
  std::fprintf(out, "%s}\n", line.c_str());
}

void print_table(const RunResult& r, std::FILE* out) {
  auto opt = [](std::optional<double> v, int d) {
    return v ? format_number(*v, d) : std::string("-");
  };
  const double cmds = static_cast<double>(r.commands);
  std::fprintf(out, "%s%s%s: %d session(s) x QD%d, %u B %s, %d%% reads, %s, %.2f s\n",
               r.label.empty() ? "" : r.label.c_str(), r.label.empty() ? "" : " ",
               r.target_comm.empty() ? "target" : r.target_comm.c_str(), r.sessions, r.queue_depth,
               r.io_bytes, r.pattern.c_str(), r.read_percent, r.engine.c_str(), r.seconds);
  std::fprintf(out, "  %-22s %12.0f\n", "IOPS", r.iops());
  std::fprintf(out, "  %-22s %12.1f\n", "MB/s (10^6 B)", r.mb_per_s());
  if (r.has_latency) {
    std::fprintf(out, "  %-22s %12.1f %8.1f %8.1f %8.1f %8.1f\n",
                 "latency us mean/p50/p99/p99.9/max", r.latency.mean() / 1e3,
                 r.latency.quantile(0.5) / 1e3, r.latency.quantile(0.99) / 1e3,
                 r.latency.quantile(0.999) / 1e3, r.latency.max() / 1e3);
  }
  std::fprintf(out,
               "  %-22s %12llu  (TASK SET FULL %llu, BUSY %llu, CHECK CONDITION %llu, other status "
               "%llu, transport %llu, submit %llu)\n",
               "errors", static_cast<unsigned long long>(r.errors.total()),
               static_cast<unsigned long long>(r.errors.task_set_full),
               static_cast<unsigned long long>(r.errors.busy),
               static_cast<unsigned long long>(r.errors.check_condition),
               static_cast<unsigned long long>(r.errors.other_status),
               static_cast<unsigned long long>(r.errors.transport),
               static_cast<unsigned long long>(r.errors.submit));
  if (!r.last_error.empty()) std::fprintf(out, "  %-22s %s\n", "last error", r.last_error.c_str());
  std::fprintf(out, "  %-22s %12.1f\n", "initiator CPU %",
               r.seconds > 0 ? 100 * r.initiator_cpu_seconds / r.seconds : 0);
  if (r.target_cpu_seconds) {
    std::fprintf(out, "  %-22s %12s\n", "target CPU %",
                 opt(per(r.target_cpu_seconds, r.seconds, 100.0), 1).c_str());
    std::fprintf(out, "  %-22s %12s\n", "target CPU-s / M cmds",
                 opt(per(r.target_cpu_seconds, cmds, 1e6), 2).c_str());
    std::fprintf(out, "  %-22s %12s\n", "target ctx sw / cmd",
                 opt(per(as_double(r.target_context_switches), cmds), 4).c_str());
    std::fprintf(out, "  %-22s %12s\n", "target allocs / cmd",
                 opt(per(as_double(r.target_allocations), cmds), 3).c_str());
    std::fprintf(out, "  %-22s %12s\n", "target syscalls / cmd",
                 opt(per(as_double(r.target_syscalls), cmds), 3).c_str());
    std::fprintf(out, "  %-22s %12s\n", "target peak RSS MiB",
                 opt(per(as_double(r.target_peak_rss_kib), 1024.0), 1).c_str());
  }
  if (!r.probe_note.empty()) std::fprintf(out, "  %-22s %s\n", "probe note", r.probe_note.c_str());
}

}  // namespace nexus::bench
