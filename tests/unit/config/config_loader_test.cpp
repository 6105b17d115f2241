#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "config_loader.h"
#include "test_util.h"

namespace nexus::server {
namespace {

using testing::HasDiag;
using testing::load;

// The format documented in the helper brief, in full.
constexpr const char* kFullConfig = R"(server:
  plugin_dirs: [build/lib/nexus]
  state_dir: /tmp/nexus-state
  log_level: debug
  reactors: 2
  session_queue_depth: 64
  lun_queue_depth: 512
  buffer_memory: 256M
  shutdown_grace: 1500ms
transports:
  - plugin: iscsi
    options: {nop_interval: 30}
devices:
  - name: disk0
    handler: disk
    options:
      backend: file
      path: /var/tmp/nexus/disk0.img
      size: 1G
  - name: disk1
    handler: disk
initiator_groups:
  - name: backup
    initiators: ["iqn.1993-08.org.debian:01:*", "iqn.2026-01.com.example:host1"]
    chap: {user: u, secret: abcdefghijkl}
    mutual_chap: {user: t, secret: mnopqrstuvwx}
discovery:
  chap: {user: d, secret: discoverysecr}
targets:
  - name: iqn.2026-11.io.nexus:default
    alias: default
    transport: iscsi
    portals: ["127.0.0.1:3260", "[::1]:3260"]
    portal_group_tag: 7
    chap: {user: tu, secret: targetsecret1}
    luns:
      - {lun: 0, device: disk0}
      - {lun: 5, device: disk1, read_only: true}
    acls:
      - group: backup
        luns:
          - {lun: 0, device: disk0, read_only: true}
)";

TEST(ConfigLoader, FullConfigLoadsEveryField) {
  LoadResult r = load(kFullConfig);
  ASSERT_TRUE(r.ok()) << r.diagnostics.format();
  EXPECT_TRUE(r.diagnostics.items().empty()) << r.diagnostics.format();
  const Config& c = r.config;
  EXPECT_EQ(c.file, "test.yaml");
  EXPECT_EQ(c.server.plugin_dirs, std::vector<std::string>{"build/lib/nexus"});
  EXPECT_EQ(c.server.state_dir, "/tmp/nexus-state");
  EXPECT_EQ(c.server.log_level, LogLevel::debug);
  EXPECT_EQ(c.server.reactors, 2u);
  EXPECT_EQ(c.server.session_queue_depth, 64u);
  EXPECT_EQ(c.server.lun_queue_depth, 512u);
  EXPECT_EQ(c.server.buffer_memory, 256ull << 20);
  EXPECT_EQ(c.server.shutdown_grace_ms, 1500u);

  ASSERT_EQ(c.transports.size(), 1u);
  EXPECT_EQ(c.transports[0].plugin, "iscsi");
  EXPECT_EQ(c.transports[0].options["nop_interval"].as<int>(), 30);
  EXPECT_EQ(c.transports[0].options_location.line, 12);

  ASSERT_EQ(c.devices.size(), 2u);
  EXPECT_EQ(c.devices[0].name, "disk0");
  EXPECT_EQ(c.devices[0].handler, "disk");
  EXPECT_EQ(c.devices[0].options["path"].Scalar(), "/var/tmp/nexus/disk0.img");
  EXPECT_EQ(c.devices[0].location.line, 14);
  EXPECT_EQ(c.devices[0].location.path, "devices[0]");
  EXPECT_FALSE(c.devices[1].options.IsDefined());
  EXPECT_EQ(c.devices[1].options_location.path, "devices[1].options");

  ASSERT_EQ(c.initiator_groups.size(), 1u);
  const InitiatorGroup& g = c.initiator_groups[0];
  EXPECT_EQ(g.name, "backup");
  EXPECT_EQ(g.initiators.size(), 2u);
  ASSERT_TRUE(g.auth.chap);
  EXPECT_EQ(g.auth.chap->user, "u");
  EXPECT_EQ(g.auth.chap->secret, "abcdefghijkl");
  ASSERT_TRUE(g.auth.mutual_chap);
  EXPECT_EQ(g.auth.mutual_chap->user, "t");
  ASSERT_TRUE(c.discovery.auth.chap);
  EXPECT_EQ(c.discovery.auth.chap->user, "d");
  EXPECT_FALSE(c.discovery.auth.mutual_chap);

  ASSERT_EQ(c.targets.size(), 1u);
  const Target& t = c.targets[0];
  EXPECT_EQ(t.name, "iqn.2026-11.io.nexus:default");
  EXPECT_EQ(t.alias, "default");
  EXPECT_EQ(t.transport, "iscsi");
  ASSERT_EQ(t.portals.size(), 2u);
  EXPECT_EQ(t.portals[0].text(), "127.0.0.1:3260");
  EXPECT_EQ(t.portals[1].text(), "[::1]:3260");
  EXPECT_TRUE(t.portals[1].ipv6);
  EXPECT_EQ(t.portal_group_tag, 7);
  ASSERT_TRUE(t.auth.chap);
  EXPECT_EQ(t.auth.chap->user, "tu");
  ASSERT_EQ(t.luns.size(), 2u);
  EXPECT_EQ(t.luns[1].lun, 5u);
  EXPECT_EQ(t.luns[1].device, "disk1");
  EXPECT_TRUE(t.luns[1].read_only);
  EXPECT_EQ(t.luns[1].location.path, "targets[0].luns[1]");
  EXPECT_EQ(t.luns[1].location.line, 38);
  ASSERT_EQ(t.acls.size(), 1u);
  EXPECT_EQ(t.acls[0].group, "backup");
  ASSERT_EQ(t.acls[0].luns.size(), 1u);
  EXPECT_TRUE(t.acls[0].luns[0].read_only);
  EXPECT_FALSE(t.acls[0].luns_inherited);
}

TEST(ConfigLoader, DefaultsAreFilledIn) {
  LoadResult r = load(R"(devices:
  - {name: d, handler: disk}
targets:
  - name: iqn.2026-01.com.example:t
    luns: [{lun: 0, device: d}]
)");
  ASSERT_TRUE(r.ok()) << r.diagnostics.format();
  const Config& c = r.config;
  EXPECT_TRUE(c.server.plugin_dirs.empty());
  EXPECT_EQ(c.server.log_level, LogLevel::info);
  EXPECT_EQ(c.server.reactors, 0u);
  EXPECT_EQ(c.server.session_queue_depth, 128u);
  EXPECT_EQ(c.server.lun_queue_depth, 1024u);
  EXPECT_EQ(c.server.buffer_memory, 256ull << 20);
  EXPECT_EQ(c.server.shutdown_grace_ms, 5000u);
  const Target& t = c.targets[0];
  EXPECT_EQ(t.transport, "iscsi");
  EXPECT_EQ(t.portal_group_tag, 1);
  ASSERT_EQ(t.portals.size(), 1u);
  EXPECT_EQ(t.portals[0].text(), "0.0.0.0:3260");
  // No transports: section -> the transports the targets use, without options.
  ASSERT_EQ(c.transports.size(), 1u);
  EXPECT_EQ(c.transports[0].plugin, "iscsi");
  EXPECT_FALSE(t.luns[0].read_only);
}

TEST(ConfigLoader, AclWithoutLunsInheritsTargetLuns) {
  LoadResult r = load(R"(devices: [{name: d, handler: disk}]
initiator_groups: [{name: g, initiators: ["iqn.*"]}]
targets:
  - name: iqn.2026-01.com.example:t
    luns: [{lun: 3, device: d}]
    acls: [{group: g}]
)");
  ASSERT_TRUE(r.ok()) << r.diagnostics.format();
  const Acl& a = r.config.targets[0].acls[0];
  EXPECT_TRUE(a.luns_inherited);
  ASSERT_EQ(a.luns.size(), 1u);
  EXPECT_EQ(a.luns[0].lun, 3u);
}

TEST(ConfigLoader, SyntaxErrorHasLineAndColumn) {
  LoadResult r = load("server:\n  log_level: [info\n");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics.items().size(), 1u);
  EXPECT_NE(r.diagnostics.items()[0].format().find("YAML syntax error"), std::string::npos);
  EXPECT_GE(r.diagnostics.items()[0].location.line, 2);
}

TEST(ConfigLoader, UnknownKeysAtEveryLevel) {
  LoadResult r = load(R"(servr: {}
server:
  log_levle: info
devices:
  - {name: d, handler: disk, colour: red}
initiator_groups:
  - name: g
    initiators: ["iqn.*"]
    chap: {user: u, secret: abcdefghijkl, salt: x}
targets:
  - name: iqn.2026-01.com.example:t
    lun: []
    luns: [{lun: 0, device: d, ro: true}]
    acls: [{group: g, extra: 1}]
)");
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(HasDiag(r, 1, "servr", "unknown key 'servr' (did you mean 'server'?)"));
  EXPECT_TRUE(
      HasDiag(r, 3, "server.log_levle", "unknown key 'log_levle' (did you mean 'log_level'?)"));
  EXPECT_TRUE(HasDiag(r, 5, "devices[0].colour", "unknown key 'colour'"));
  EXPECT_TRUE(HasDiag(r, 9, "initiator_groups[0].chap.salt", "unknown key 'salt'"));
  EXPECT_TRUE(HasDiag(r, 12, "targets[0].lun", "unknown key 'lun' (did you mean 'luns'?)"));
  EXPECT_TRUE(HasDiag(r, 13, "targets[0].luns[0].ro", "unknown key 'ro'"));
  EXPECT_TRUE(HasDiag(r, 14, "targets[0].acls[0].extra", "unknown key 'extra'"));
  EXPECT_EQ(r.diagnostics.error_count(), 7u) << r.diagnostics.format();
}

TEST(ConfigLoader, ErrorFormatIsFileLineColumnPathMessage) {
  LoadResult r = load("server:\n  reactors: many\n");
  ASSERT_EQ(r.diagnostics.error_count(), 1u);
  EXPECT_EQ(r.diagnostics.items()[0].format(),
            "test.yaml:2:13: server.reactors: must be an integer from 0 to 1024");
}

TEST(ConfigLoader, WrongTypes) {
  LoadResult r = load(R"(server:
  session_queue_depth: 0
  buffer_memory: lots
  shutdown_grace: soon
  log_level: loud
  plugin_dirs: {a: b}
devices: {name: d}
targets:
  - name: [iqn.2026-01.com.example:t]
    portal_group_tag: 70000
    luns:
      - {lun: 0, device: d, read_only: maybe}
)");
  EXPECT_TRUE(HasDiag(r, 2, "server.session_queue_depth", "must be an integer from 1 to 65536"));
  EXPECT_TRUE(HasDiag(r, 3, "server.buffer_memory", "must be a size"));
  EXPECT_TRUE(HasDiag(r, 4, "server.shutdown_grace", "must be a duration"));
  EXPECT_TRUE(HasDiag(r, 5, "server.log_level", "must be one of: trace debug info warn error"));
  EXPECT_TRUE(HasDiag(r, 6, "server.plugin_dirs", "must be a list"));
  EXPECT_TRUE(HasDiag(r, 7, "devices", "must be a list"));
  EXPECT_TRUE(HasDiag(r, 9, "targets[0].name", "must be a non-empty string"));
  EXPECT_TRUE(HasDiag(r, 10, "targets[0].portal_group_tag", "must be an integer from 1 to 65535"));
  EXPECT_TRUE(HasDiag(r, 12, "targets[0].luns[0].read_only", "must be true or false"));
}

TEST(ConfigLoader, BadTargetNames) {
  LoadResult r = load(R"(targets:
  - name: iqn.2026-01.com.example:ok
  - name: iqn.2026-1.com.example:t
  - name: IQN.2026-01.com.example:t
  - name: eui.12345
  - name: naa.0123456789abcdef0
  - name: mytarget
)");
  EXPECT_TRUE(HasDiag(r, 3, "targets[1].name", "bad target name 'iqn.2026-1.com.example:t'"));
  EXPECT_TRUE(HasDiag(r, 4, "targets[2].name", "lowercase"));
  EXPECT_TRUE(HasDiag(r, 5, "targets[3].name", "16 hex digits"));
  EXPECT_TRUE(HasDiag(r, 6, "targets[4].name", "16 or 32 hex digits"));
  EXPECT_TRUE(HasDiag(r, 7, "targets[5].name", "must start with iqn., eui. or naa."));
  EXPECT_EQ(r.diagnostics.error_count(), 5u) << r.diagnostics.format();
  EXPECT_EQ(r.config.targets.size(), 1u);
}

TEST(ConfigLoader, BadInitiatorNamesAndPatterns) {
  LoadResult r = load(R"(initiator_groups:
  - name: g
    initiators: ["iqn.2026-01.com.example:ok", "iqn.bad", "iqn.2026-01.*", "a b", ""]
  - name: empty
    initiators: []
)");
  EXPECT_TRUE(HasDiag(r, 3, "initiator_groups[0].initiators[1]", "bad initiator name 'iqn.bad'"));
  EXPECT_TRUE(HasDiag(r, 3, "initiator_groups[0].initiators[3]", "contains whitespace"));
  EXPECT_TRUE(HasDiag(r, 3, "initiator_groups[0].initiators[4]", "must be an initiator name"));
  EXPECT_TRUE(HasDiag(r, 5, "initiator_groups[1].initiators", "at least one initiator"));
  EXPECT_EQ(r.diagnostics.error_count(), 4u) << r.diagnostics.format();
}

TEST(ConfigLoader, BadPortals) {
  LoadResult r = load(R"(targets:
  - name: iqn.2026-01.com.example:t
    portals: ["127.0.0.1:3260", "127.0.0.1:99999", "::1:3260", "[::1]:0", "[::1", "127.0.0.1:3260"]
)");
  EXPECT_TRUE(HasDiag(r, 3, "targets[0].portals[1]", "port must be a number from 1 to 65535"));
  EXPECT_TRUE(HasDiag(r, 3, "targets[0].portals[2]", "must be written in brackets"));
  EXPECT_TRUE(HasDiag(r, 3, "targets[0].portals[3]", "port must be a number from 1 to 65535"));
  EXPECT_TRUE(HasDiag(r, 3, "targets[0].portals[4]", "missing ']'"));
  EXPECT_TRUE(HasDiag(r, 3, "targets[0].portals[5]", "listed twice"));
}

TEST(ConfigLoader, DuplicatesAndDanglingReferences) {
  LoadResult r = load(R"(devices:
  - {name: disk0, handler: disk}
  - {name: disk0, handler: disk}
initiator_groups:
  - {name: g, initiators: ["iqn.*"]}
  - {name: g, initiators: ["eui.*"]}
targets:
  - name: iqn.2026-01.com.example:t
    luns:
      - {lun: 0, device: disk0}
      - {lun: 0, device: disk0}
      - {lun: 16384, device: disk0}
      - {lun: 1, device: nosuch}
    acls:
      - {group: nogroup}
  - name: iqn.2026-01.com.example:t
)");
  EXPECT_TRUE(
      HasDiag(r, 3, "devices[1].name", "duplicate device name 'disk0' (first defined at line 2)"));
  EXPECT_TRUE(HasDiag(r, 6, "initiator_groups[1].name", "duplicate initiator group 'g'"));
  EXPECT_TRUE(HasDiag(r, 11, "targets[0].luns[1].lun", "LUN 0 is mapped twice (also at line 10)"));
  EXPECT_TRUE(HasDiag(r, 12, "targets[0].luns[2].lun", "LUN must be a number from 0 to 16383"));
  EXPECT_TRUE(HasDiag(r, 13, "targets[0].luns[3].device", "unknown device 'nosuch'"));
  EXPECT_TRUE(HasDiag(r, 15, "targets[0].acls[0].group", "unknown initiator group 'nogroup'"));
  EXPECT_TRUE(
      HasDiag(r, 16, "targets[1].name", "duplicate target name 'iqn.2026-01.com.example:t'"));
  EXPECT_EQ(r.diagnostics.error_count(), 7u) << r.diagnostics.format();
}

TEST(ConfigLoader, SharedDeviceNeedsDistinctPortalGroupTags) {
  // Same initiator + ISID through two targets with one tag = one "port" to
  // reservations and Unit Attentions: a warning naming both targets.
  const char* shared = R"(devices:
  - {name: tape0, handler: tape}
targets:
  - name: iqn.2026-01.com.example:a
    luns: [{lun: 0, device: tape0}]
  - name: iqn.2026-01.com.example:b
    luns: [{lun: 0, device: tape0}]
)";
  LoadResult r = load(shared);
  EXPECT_TRUE(HasDiag(r, 6, "targets[1]",
                      "device 'tape0' is exported by target 'iqn.2026-01.com.example:a' (line 4) "
                      "and by this target with the same portal_group_tag 1",
                      Severity::warning));
  EXPECT_TRUE(r.ok()) << r.diagnostics.format();

  LoadResult ok = load(R"(devices:
  - {name: tape0, handler: tape}
  - {name: disk0, handler: disk}
targets:
  - name: iqn.2026-01.com.example:a
    luns: [{lun: 0, device: tape0}]
  - name: iqn.2026-01.com.example:b
    portal_group_tag: 2
    luns: [{lun: 0, device: tape0}]
  - name: iqn.2026-01.com.example:c
    luns: [{lun: 0, device: disk0}]
)");
  EXPECT_TRUE(ok.ok()) << ok.diagnostics.format();
  EXPECT_TRUE(ok.diagnostics.items().empty()) << ok.diagnostics.format();
}

TEST(ConfigLoader, DuplicateKeysInAMap) {
  LoadResult r = load(R"(server:
  reactors: 1
  reactors: 2
devices:
  - name: d
    handler: disk
    options: {size: 1G, size: 2G}
)");
  EXPECT_TRUE(HasDiag(r, 3, "server.reactors", "given more than once"));
  EXPECT_TRUE(HasDiag(r, 7, "devices[0].options.size", "given more than once"));
}

TEST(ConfigLoader, ChapRules) {
  LoadResult r = load(R"(initiator_groups:
  - name: a
    initiators: ["iqn.*"]
    chap: {user: u, secret: short}
  - name: b
    initiators: ["iqn.*"]
    chap: {user: u, secret: abcdefghijkl, secret_file: /x}
  - name: c
    initiators: ["iqn.*"]
    chap: {user: u}
  - name: d
    initiators: ["iqn.*"]
    chap: {user: u, secret: abcdefghijkl}
    mutual_chap: {user: t, secret: abcdefghijkl}
  - name: e
    initiators: ["iqn.*"]
    mutual_chap: {user: t, secret: abcdefghijkl}
  - name: f
    initiators: ["iqn.*"]
    chap: {secret: abcdefghijkl}
)");
  EXPECT_TRUE(HasDiag(r, 4, "initiator_groups[0].chap.secret", "12 to 16 bytes is recommended",
                      Severity::warning));
  EXPECT_TRUE(HasDiag(r, 7, "initiator_groups[1].chap.secret_file", "not both"));
  EXPECT_TRUE(HasDiag(r, 10, "initiator_groups[2].chap", "missing 'secret' or 'secret_file'"));
  EXPECT_TRUE(HasDiag(r, 14, "initiator_groups[3].mutual_chap", "must differ"));
  EXPECT_TRUE(HasDiag(r, 17, "initiator_groups[4].mutual_chap", "needs chap"));
  EXPECT_TRUE(HasDiag(r, 20, "initiator_groups[5].chap.user", "missing required key 'user'"));
  EXPECT_EQ(r.diagnostics.error_count(), 5u) << r.diagnostics.format();
}

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("nexus-config-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  std::filesystem::path dir_;
};

TEST_F(ConfigFileTest, SecretFileIsReadRelativeToTheConfigAndTrailingNewlineStripped) {
  write("secret", "abcdefghijklm\n");
  std::string cfg = write("nexus.yaml", R"(discovery:
  chap: {user: d, secret_file: secret}
)");
  LoadResult r = load_config_file(cfg);
  ASSERT_TRUE(r.ok()) << r.diagnostics.format();
  ASSERT_TRUE(r.config.discovery.auth.chap);
  EXPECT_EQ(r.config.discovery.auth.chap->secret, "abcdefghijklm");
  EXPECT_EQ(r.config.discovery.auth.chap->secret_file, "secret");
}

TEST_F(ConfigFileTest, UnreadableSecretFileIsNamed) {
  std::string cfg = write("nexus.yaml", R"(discovery:
  chap: {user: d, secret_file: /nonexistent/nexus-secret}
)");
  LoadResult r = load_config_file(cfg);
  ASSERT_EQ(r.diagnostics.error_count(), 1u) << r.diagnostics.format();
  std::string msg = r.diagnostics.items()[0].format();
  EXPECT_EQ(msg.rfind(cfg + ":2:", 0), 0u) << msg;
  EXPECT_NE(msg.find("discovery.chap.secret_file: cannot read CHAP secret file "
                     "'/nonexistent/nexus-secret'"),
            std::string::npos)
      << msg;
}

TEST_F(ConfigFileTest, MissingConfigFile) {
  LoadResult r = load_config_file((dir_ / "nope.yaml").string());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diagnostics.format().find("cannot open configuration"), std::string::npos);
}

TEST(ConfigLoader, TargetTransportMustBeConfigured) {
  LoadResult r = load(R"(transports:
  - plugin: iscsi
targets:
  - name: iqn.2026-01.com.example:t
    transport: srp
    luns: []
)");
  EXPECT_TRUE(
      HasDiag(r, 5, "targets[0].transport", "transport 'srp' is not listed under transports:"));
}

TEST(ConfigLoader, EmptyAndNonMapDocuments) {
  LoadResult empty = load("");
  EXPECT_TRUE(empty.ok());
  LoadResult list = load("- a\n- b\n");
  EXPECT_FALSE(list.ok());
  EXPECT_TRUE(HasDiag(list, 1, "", "must be a map"));
}

}  // namespace
}  // namespace nexus::server
