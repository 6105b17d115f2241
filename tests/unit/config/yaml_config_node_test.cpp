#include "yaml_config_node.h"

#include <gtest/gtest.h>

#include "nexus/config.hpp"
#include "test_util.h"

namespace nexus::server {
namespace {

constexpr const char* kYaml = R"(devices:
  - name: disk0
    handler: disk
    options:
      backend: file
      path: /tmp/x.img
      size: 1G
      colour: blue
      nested: {a: 1, b: 2}
      tags: [x, y]
      bad_size: huge
)";

std::unique_ptr<YamlConfigNode> options_of(const LoadResult& r, size_t i) {
  const Device& d = r.config.devices.at(i);
  return YamlConfigNode::make_root(d.options, d.options_location, "device '" + d.name + "'");
}

TEST(YamlConfigNode, ExposesKindsScalarsAndSizes) {
  LoadResult r = testing::load(kYaml);
  ASSERT_TRUE(r.ok()) << r.diagnostics.format();
  auto root = options_of(r, 0);
  EXPECT_EQ(root->kind(), NodeKind::map);
  EXPECT_EQ(root->size(), 7u);
  EXPECT_EQ(to_sv(root->key_at(0)), "backend");
  const IConfigNode* path = root->get(to_str("path"));
  EXPECT_EQ(path->kind(), NodeKind::scalar);
  EXPECT_EQ(to_sv(path->scalar()), "/tmp/x.img");
  const IConfigNode* tags = root->get(to_str("tags"));
  EXPECT_EQ(tags->kind(), NodeKind::sequence);
  ASSERT_EQ(tags->size(), 2u);
  EXPECT_EQ(to_sv(tags->at(1)->scalar()), "y");
  EXPECT_EQ(tags->at(2)->kind(), NodeKind::missing);
  const IConfigNode* absent = root->get(to_str("absent"));
  EXPECT_EQ(absent->kind(), NodeKind::missing);
  EXPECT_EQ(absent, root->get(to_str("absent")));  // stable pointer
  EXPECT_EQ(absent->get(to_str("deeper"))->kind(), NodeKind::missing);
}

TEST(YamlConfigNode, ReportsKeysThePluginNeverLookedUp) {
  LoadResult r = testing::load(kYaml);
  auto root = options_of(r, 0);
  Options opt(root.get());
  opt.choice("backend", {"file", "ram", "null"});
  opt.string("path");
  opt.size("size");
  const IConfigNode* nested = opt.child("nested");
  nested->get(to_str("a"));  // consulted the map but never asked for b
  opt.child("tags");
  opt.child("bad_size");
  Diagnostics unknown = root->unknown_keys();
  ASSERT_EQ(unknown.error_count(), 2u) << unknown.format();
  EXPECT_EQ(unknown.items()[0].format(),
            "test.yaml:8:7: devices[0].options.colour: unknown key 'colour' in options of device "
            "'disk0'");
  EXPECT_EQ(unknown.items()[1].location.path, "devices[0].options.nested.b");
  EXPECT_EQ(unknown.items()[1].location.line, 9);
}

TEST(YamlConfigNode, IteratedMapsHaveNoUnknownKeys) {
  LoadResult r = testing::load(kYaml);
  auto root = options_of(r, 0);
  for (uint32_t i = 0; i < root->size(); ++i) root->key_at(i);
  EXPECT_EQ(root->unknown_keys().error_count(), 0u);
}

TEST(YamlConfigNode, CollectsPluginErrorsWithLocation) {
  LoadResult r = testing::load(kYaml);
  auto root = options_of(r, 0);
  Options opt(root.get());
  opt.size("bad_size");
  opt.string("required_thing");
  EXPECT_FALSE(opt.ok());
  Diagnostics errs = root->errors();
  ASSERT_EQ(errs.error_count(), 2u);
  EXPECT_EQ(errs.items()[0].format(),
            "test.yaml:11:17: devices[0].options.bad_size: must be a size such as 4096, 64K, 1G");
  EXPECT_EQ(errs.items()[1].location.line, 5);  // at the options map
  EXPECT_NE(errs.items()[1].message.find("missing required key 'required_thing'"),
            std::string::npos);
}

TEST(YamlConfigNode, MissingOptionsBlock) {
  LoadResult r = testing::load("devices:\n  - {name: d, handler: disk}\n");
  auto root = options_of(r, 0);
  EXPECT_EQ(root->kind(), NodeKind::missing);
  EXPECT_EQ(root->size(), 0u);
  Options opt(root.get());
  EXPECT_EQ(opt.uint("block_size", 512), 512u);
  EXPECT_TRUE(opt.ok());
  root->get(to_str("x"))->error(to_str("boom"));
  Diagnostics errs = root->errors();
  ASSERT_EQ(errs.error_count(), 1u);
  EXPECT_EQ(errs.items()[0].location.path, "devices[0].options.x");
  EXPECT_EQ(errs.items()[0].location.line, 2);
  EXPECT_EQ(root->unknown_keys().error_count(), 0u);
}

}  // namespace
}  // namespace nexus::server

namespace nexus::server {
namespace {

TEST(YamlConfigNode, AliasBombIsCutOffWithAnError) {
  // Each level references the previous one nine times: 9^7 nodes if expanded.
  std::string yaml = "devices:\n  - name: d\n    handler: disk\n    options:\n";
  yaml += "      l0: &l0 [x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 8; ++i) {
    std::string prev = "*l" + std::to_string(i - 1);
    yaml += "      l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int k = 0; k < 9; ++k) yaml += prev + (k < 8 ? ", " : "");
    yaml += "]\n";
  }
  LoadResult r = testing::load(yaml);
  ASSERT_TRUE(r.ok()) << r.diagnostics.format();
  const Device& d = r.config.devices.at(0);
  auto root = YamlConfigNode::make_root(d.options, d.options_location, "device 'd'");
  Diagnostics errs = root->errors();
  ASSERT_EQ(errs.error_count(), 1u);
  EXPECT_NE(errs.items()[0].message.find("more than 100000 nodes"), std::string::npos);
}

}  // namespace
}  // namespace nexus::server
