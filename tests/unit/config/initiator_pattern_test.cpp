#include "initiator_pattern.h"

#include <gtest/gtest.h>

#include <string>

namespace nexus::server {
namespace {

TEST(InitiatorPattern, ExactNameMatchesItselfOnly) {
  EXPECT_TRUE(initiator_matches("iqn.2026-01.com.example:host1", "iqn.2026-01.com.example:host1"));
  EXPECT_FALSE(
      initiator_matches("iqn.2026-01.com.example:host1", "iqn.2026-01.com.example:host10"));
  EXPECT_FALSE(initiator_matches("iqn.2026-01.com.example:host1", "iqn.2026-01.com.example:host"));
}

TEST(InitiatorPattern, StarMatchesAnyRunIncludingEmpty) {
  EXPECT_TRUE(initiator_matches("iqn.1993-08.org.debian:01:*", "iqn.1993-08.org.debian:01:abc123"));
  EXPECT_TRUE(initiator_matches("iqn.1993-08.org.debian:01:*", "iqn.1993-08.org.debian:01:"));
  EXPECT_FALSE(initiator_matches("iqn.1993-08.org.debian:01:*", "iqn.1993-08.org.debian:02:x"));
  EXPECT_TRUE(initiator_matches("*", ""));
  EXPECT_TRUE(initiator_matches("*", "anything"));
  EXPECT_TRUE(initiator_matches("iqn.*:host*", "iqn.2026-01.com.example:host7"));
  EXPECT_TRUE(initiator_matches("*host*1", "iqn.x:host-a-1"));
  EXPECT_FALSE(initiator_matches("*host*1", "iqn.x:host-a-2"));
}

TEST(InitiatorPattern, QuestionMarkMatchesExactlyOne) {
  EXPECT_TRUE(initiator_matches("iqn.2026-01.com.example:host?", "iqn.2026-01.com.example:host7"));
  EXPECT_FALSE(initiator_matches("iqn.2026-01.com.example:host?", "iqn.2026-01.com.example:host"));
  EXPECT_FALSE(
      initiator_matches("iqn.2026-01.com.example:host?", "iqn.2026-01.com.example:host77"));
}

TEST(InitiatorPattern, CaseInsensitive) {
  EXPECT_TRUE(initiator_matches("eui.02004567A425678D", "eui.02004567a425678d"));
  EXPECT_TRUE(initiator_matches("IQN.*", "iqn.2026-01.com.example:x"));
}

TEST(InitiatorPattern, PathologicalPatternStaysFast) {
  std::string name(5000, 'a');
  std::string pattern;
  for (int i = 0; i < 50; ++i) pattern += "*a";
  pattern += "b";
  EXPECT_FALSE(initiator_matches(pattern, name));  // would be exponential with naive recursion
}

TEST(InitiatorPattern, DetectsWildcards) {
  EXPECT_TRUE(is_wildcard_pattern("iqn.*"));
  EXPECT_TRUE(is_wildcard_pattern("iqn.?"));
  EXPECT_FALSE(is_wildcard_pattern("iqn.2026-01.com.example:x"));
}

}  // namespace
}  // namespace nexus::server
