#include "config_values.h"

#include <gtest/gtest.h>

#include <string>

namespace nexus::server {
namespace {

TEST(IscsiName, AcceptsValidNames) {
  for (const char* n :
       {"iqn.2026-11.io.nexus:default", "iqn.1993-08.org.debian:01:abcdef",
        "iqn.2001-04.com.example", "iqn.2001-04.com.example:storage:diskarrays-sn-a8675309",
        "eui.02004567A425678D", "eui.0123456789abcdef", "naa.52004567BA64678D",
        "naa.62004567BA64678D0123456789ABCDEF"})
    EXPECT_EQ(check_iscsi_name(n), "") << n;
}

TEST(IscsiName, RejectsBadNames) {
  EXPECT_NE(check_iscsi_name(""), "");
  EXPECT_NE(check_iscsi_name("iqn.2026-13.com.example:x"), "");    // month
  EXPECT_NE(check_iscsi_name("iqn.26-01.com.example"), "");        // year
  EXPECT_NE(check_iscsi_name("iqn.2026-01"), "");                  // no authority
  EXPECT_NE(check_iscsi_name("iqn.2026-01.:x"), "");               // empty authority
  EXPECT_NE(check_iscsi_name("iqn.2026-01.com..example"), "");     // empty label
  EXPECT_NE(check_iscsi_name("iqn.2026-01.com.Example:x"), "");    // uppercase
  EXPECT_NE(check_iscsi_name("iqn.2026-01.com.example:a b"), "");  // space
  EXPECT_NE(check_iscsi_name("eui.0123"), "");
  EXPECT_NE(check_iscsi_name("eui.0123456789abcdeg"), "");
  EXPECT_NE(check_iscsi_name("naa.0123456789abcdef01"), "");
  EXPECT_NE(check_iscsi_name("target0"), "");
  EXPECT_NE(check_iscsi_name("iqn.2026-01.com.example:" + std::string(220, 'x')), "");
}

TEST(Portal, ParsesIpv4Ipv6AndHostNames) {
  std::string err;
  auto p = parse_portal("127.0.0.1:3260", &err);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->host, "127.0.0.1");
  EXPECT_EQ(p->port, 3260);
  EXPECT_FALSE(p->ipv6);
  p = parse_portal("[::1]:3261", &err);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->host, "::1");
  EXPECT_EQ(p->port, 3261);
  EXPECT_TRUE(p->ipv6);
  p = parse_portal("storage.example.com:860", &err);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->host, "storage.example.com");
  p = parse_portal("0.0.0.0", &err);  // default port
  ASSERT_TRUE(p);
  EXPECT_EQ(p->port, 3260);
}

TEST(Portal, RejectsBadSyntax) {
  for (const char* bad :
       {"127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:port", "::1:3260", "[::1", "[::1]3260",
        "[zz::1]:3260", "300.1.1.1:3260", ":3260", "ho st:1", "127.0.0.1:"}) {
    std::string err;
    EXPECT_FALSE(parse_portal(bad, &err)) << bad;
    EXPECT_NE(err, "") << bad;
  }
}

TEST(Duration, ParsesUnits) {
  EXPECT_EQ(parse_duration_ms("500ms"), 500u);
  EXPECT_EQ(parse_duration_ms("5s"), 5000u);
  EXPECT_EQ(parse_duration_ms("5"), 5000u);
  EXPECT_EQ(parse_duration_ms("2m"), 120000u);
  EXPECT_EQ(parse_duration_ms("1h"), 3600000u);
  EXPECT_FALSE(parse_duration_ms("5x"));
  EXPECT_FALSE(parse_duration_ms("s"));
  EXPECT_FALSE(parse_duration_ms("-1s"));
  EXPECT_FALSE(parse_duration_ms("99999999999999999h"));
}

TEST(LogLevelNames, RoundTrip) {
  for (const char* n : {"trace", "debug", "info", "warn", "error", "critical"}) {
    auto l = parse_log_level(n);
    ASSERT_TRUE(l) << n;
    EXPECT_STREQ(log_level_name(*l), n);
  }
  EXPECT_EQ(parse_log_level("warning"), LogLevel::warn);
  EXPECT_FALSE(parse_log_level("verbose"));
}

}  // namespace
}  // namespace nexus::server
