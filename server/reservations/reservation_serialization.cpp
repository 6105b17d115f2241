// The APTPL state file (SPC-4 5.13.4: with APTPL=1 registrations and the
// persistent reservation survive a power loss). Our own line format, version 1:
//
//   nexus-pr-state 1
//   aptpl <0|1>
//   reg <id> <key: 16 hex digits> <all_tg_pt 0|1> <relative target port> <isid|-> <name>
//   ...                                   (one line per registration)
//   resv <type 1|3|5|6|7|8> <holder reg id> <holder port> <holder isid|-> <holder name>
//                                         (optional; holder fields 0/-/% for AR types)
//   end
//
// Names are percent-encoded outside [A-Za-z0-9.:_-]; an empty name is "%".
// Lines starting with '#' and blank lines are ignored. The "end" line proves
// the file is complete. Not saved: the SPC-2 reservation and PRgeneration
// (both reset by power on, SPC-2 7.21.1 / SPC-4 6.15.2).
#include <charconv>
#include <cstdio>
#include <set>
#include <sstream>
#include <vector>

#include "reservations/reservation_state.h"

namespace nexus::server::resv {
namespace {

constexpr std::string_view kMagic = "nexus-pr-state";
constexpr int kVersion = 1;

bool plain(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == ':' || c == '_' || c == '-';
}

std::string encode_name(std::string_view s) {
  if (s.empty()) return "%";
  std::string out;
  for (char c : s) {
    if (plain(c)) {
      out.push_back(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", unsigned(uint8_t(c)));
      out += buf;
    }
  }
  return out;
}

int hex_val(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> decode_name(std::string_view s) {
  if (s == "%") return std::string();
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      if (!plain(s[i])) return std::nullopt;
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = hex_val(s[i + 1]), lo = hex_val(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    const char c = char(hi * 16 + lo);
    // Control characters (NUL above all) would corrupt TransportIDs.
    if (uint8_t(c) < 0x20 || uint8_t(c) == 0x7F) return std::nullopt;
    out.push_back(c);
    i += 2;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::optional<std::string> decode_isid(std::string_view s) {
  if (s == "-") return std::string();
  if (s.size() != 12) return std::nullopt;
  std::string out;
  for (char c : s) {
    int v = hex_val(c);
    if (v < 0) return std::nullopt;
    out.push_back("0123456789abcdef"[v]);
  }
  return out;
}

template <class T>
bool parse_num(std::string_view s, T& v, int base = 10) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  return ec == std::errc() && p == s.data() + s.size();
}

std::vector<std::string_view> split(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

std::string ReservationState::serialize() const {
  std::ostringstream s;
  s << kMagic << ' ' << kVersion << '\n';
  s << "aptpl " << (aptpl_ ? 1 : 0) << '\n';
  for (const Registration& r : regs_) {
    char key[17];
    std::snprintf(key, sizeof key, "%016llx", static_cast<unsigned long long>(r.key));
    s << "reg " << r.id << ' ' << key << ' ' << (r.all_tg_pt ? 1 : 0) << ' '
      << r.relative_target_port << ' ' << (r.isid.empty() ? "-" : r.isid) << ' '
      << encode_name(r.initiator_name) << '\n';
  }
  if (resv_) {
    s << "resv " << int(resv_->type) << ' ' << resv_->holder_registration << ' '
      << resv_->holder_port << ' ' << (resv_->holder_isid.empty() ? "-" : resv_->holder_isid) << ' '
      << encode_name(resv_->holder_name) << '\n';
  }
  s << "end\n";
  return s.str();
}

std::optional<ReservationState> ReservationState::deserialize(std::string_view text,
                                                              std::string* error) {
  ReservationState st;
  int line_no = 0;
  bool header = false, have_aptpl = false, ended = false;
  std::set<uint64_t> ids;
  auto fail = [&](const std::string& why) -> std::optional<ReservationState> {
    if (error) *error = "line " + std::to_string(line_no) + ": " + why;
    return std::nullopt;
  };

  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    if (ended) return fail("content after 'end'");
    std::vector<std::string_view> t = split(line);
    if (t.empty()) continue;
    if (!header) {
      int v = 0;
      if (t.size() != 2 || t[0] != kMagic || !parse_num(t[1], v))
        return fail("not a PR state file");
      if (v != kVersion) return fail("unsupported version " + std::string(t[1]));
      header = true;
    } else if (t[0] == "aptpl") {
      if (t.size() != 2 || (t[1] != "0" && t[1] != "1")) return fail("bad aptpl line");
      st.aptpl_ = t[1] == "1";
      have_aptpl = true;
    } else if (t[0] == "reg") {
      Registration r;
      unsigned all = 0;
      if (t.size() != 7 || !parse_num(t[1], r.id) || r.id == 0 || t[2].size() != 16 ||
          !parse_num(t[2], r.key, 16) || r.key == 0 || !parse_num(t[3], all) || all > 1 ||
          !parse_num(t[4], r.relative_target_port))
        return fail("bad registration");
      auto isid = decode_isid(t[5]);
      auto name = decode_name(t[6]);
      if (!isid || !name || name->empty()) return fail("bad registration identity");
      if (!ids.insert(r.id).second) return fail("duplicate registration id");
      if (st.regs_.size() >= kMaxRegistrations) return fail("too many registrations");
      r.all_tg_pt = all == 1;
      r.isid = *isid;
      r.initiator_name = *name;
      if (r.id >= st.next_id_) st.next_id_ = r.id + 1;
      st.regs_.push_back(std::move(r));
    } else if (t[0] == "resv") {
      unsigned type = 0;
      PersistentReservation pr;
      if (st.resv_ || t.size() != 6 || !parse_num(t[1], type) || type > 0xF ||
          !valid_pr_type(uint8_t(type)) || !parse_num(t[2], pr.holder_registration) ||
          !parse_num(t[3], pr.holder_port))
        return fail("bad reservation");
      pr.type = PrType(type);
      auto isid = decode_isid(t[4]);
      std::optional<std::string> name = decode_name(t[5]);
      if (!isid || !name) return fail("bad reservation holder");
      pr.holder_isid = *isid;
      pr.holder_name = *name;
      st.resv_ = std::move(pr);
    } else if (t[0] == "end") {
      if (t.size() != 1) return fail("bad end line");
      ended = true;
    } else {
      return fail("unknown record '" + std::string(t[0]) + "'");
    }
  }
  if (!header) return fail("empty file");
  if (!have_aptpl) return fail("missing aptpl line");
  if (!ended) return fail("truncated (no 'end' line)");
  if (st.resv_) {
    if (st.regs_.empty()) return fail("reservation without registrations");
    if (!all_registrants(st.resv_->type)) {
      const Registration* h = st.reg_by_id(st.resv_->holder_registration);
      if (!h) return fail("reservation holder is not registered");
      if (st.resv_->holder_name.empty()) return fail("reservation holder has no name");
    }
  }
  return st;
}

}  // namespace nexus::server::resv
