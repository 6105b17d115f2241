#include "access_control.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace nexus::server {
namespace {

Config load_ok(std::string_view yaml) {
  LoadResult r = testing::load(yaml);
  EXPECT_TRUE(r.ok()) << r.diagnostics.format();
  return r.config;
}

constexpr const char* kConfig = R"(devices:
  - {name: d0, handler: disk}
  - {name: d1, handler: disk}
  - {name: d2, handler: disk}
initiator_groups:
  - name: backup
    initiators: ["iqn.1993-08.org.debian:01:*"]
    chap: {user: gu, secret: groupsecret12}
  - name: hosts
    initiators: ["iqn.2026-01.com.example:host?", "iqn.1993-08.org.debian:01:special"]
targets:
  - name: iqn.2026-01.com.example:open
    chap: {user: tu, secret: targetsecret}
    luns:
      - {lun: 2, device: d2}
      - {lun: 0, device: d0}
  - name: iqn.2026-01.com.example:masked
    chap: {user: tu, secret: targetsecret}
    luns: [{lun: 0, device: d0}]
    acls:
      - group: backup
        luns: [{lun: 0, device: d1, read_only: true}]
      - group: hosts
)";

TEST(AccessControl, TargetWithoutAclsIsOpenToEveryone) {
  AccessControl ac(load_ok(kConfig));
  AccessDecision d = ac.lookup("iqn.2026-01.com.example:open", "iqn.2000-01.org.any:thing");
  ASSERT_TRUE(d.allowed);
  EXPECT_EQ(d.view->group, "");
  ASSERT_EQ(d.view->luns.size(), 2u);
  EXPECT_EQ(d.view->luns[0].lun, 0u);  // sorted
  EXPECT_EQ(d.view->luns[1].lun, 2u);
  EXPECT_EQ(d.view->find(2)->device, "d2");
  EXPECT_EQ(d.view->find(1), nullptr);
  ASSERT_TRUE(d.view->auth.chap);
  EXPECT_EQ(d.view->auth.chap->user, "tu");
  // A group CHAP does not apply where the target has no acls.
  d = ac.lookup("iqn.2026-01.com.example:open", "iqn.1993-08.org.debian:01:abc");
  EXPECT_EQ(d.view->auth.chap->user, "tu");
}

TEST(AccessControl, AclsAdmitOnlyMatchingGroups) {
  AccessControl ac(load_ok(kConfig));
  AccessDecision d = ac.lookup("iqn.2026-01.com.example:masked", "iqn.2000-01.org.other:x");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.view, nullptr);
  EXPECT_NE(d.reason.find("no initiator group"), std::string::npos);
  EXPECT_FALSE(ac.visible("iqn.2026-01.com.example:masked", "iqn.2000-01.org.other:x"));
  EXPECT_TRUE(ac.visible("iqn.2026-01.com.example:masked", "iqn.2026-01.com.example:host1"));
}

TEST(AccessControl, GroupLunMapAndChapOverride) {
  AccessControl ac(load_ok(kConfig));
  AccessDecision d = ac.lookup("iqn.2026-01.com.example:masked", "iqn.1993-08.org.debian:01:abc");
  ASSERT_TRUE(d.allowed);
  EXPECT_EQ(d.view->group, "backup");
  ASSERT_EQ(d.view->luns.size(), 1u);
  EXPECT_EQ(d.view->luns[0].device, "d1");
  EXPECT_TRUE(d.view->luns[0].read_only);
  ASSERT_TRUE(d.view->auth.chap);
  EXPECT_EQ(d.view->auth.chap->user, "gu");  // group CHAP overrides target CHAP
}

TEST(AccessControl, AclWithoutLunsGetsTargetLunsAndTargetChap) {
  AccessControl ac(load_ok(kConfig));
  AccessDecision d = ac.lookup("iqn.2026-01.com.example:masked", "iqn.2026-01.com.example:host7");
  ASSERT_TRUE(d.allowed);
  EXPECT_EQ(d.view->group, "hosts");
  ASSERT_EQ(d.view->luns.size(), 1u);
  EXPECT_EQ(d.view->luns[0].device, "d0");
  EXPECT_FALSE(d.view->luns[0].read_only);
  EXPECT_EQ(d.view->auth.chap->user, "tu");
}

TEST(AccessControl, FirstMatchingGroupInAclOrderWins) {
  // ":01:special" matches both backup (wildcard) and hosts (exact); backup comes first.
  AccessControl ac(load_ok(kConfig));
  AccessDecision d =
      ac.lookup("iqn.2026-01.com.example:masked", "iqn.1993-08.org.debian:01:special");
  ASSERT_TRUE(d.allowed);
  EXPECT_EQ(d.view->group, "backup");
}

TEST(AccessControl, UnknownTargetIsDenied) {
  AccessControl ac(load_ok(kConfig));
  AccessDecision d = ac.lookup("iqn.2026-01.com.example:nosuch", "iqn.2026-01.com.example:host1");
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.reason.find("no such target"), std::string::npos);
}

TEST(AccessControl, ViewsAreSharedBetweenLookups) {
  AccessControl ac(load_ok(kConfig));
  auto a = ac.lookup("iqn.2026-01.com.example:masked", "iqn.2026-01.com.example:host1").view;
  auto b = ac.lookup("iqn.2026-01.com.example:masked", "iqn.2026-01.com.example:host2").view;
  EXPECT_EQ(a.get(), b.get());
}

}  // namespace
}  // namespace nexus::server
