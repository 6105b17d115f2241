#include "bench_options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using nexus::bench::AccessPattern;
using nexus::bench::parse_bench_options;
using nexus::bench::parse_size;

namespace {

std::optional<nexus::bench::BenchOptions> parse(std::vector<std::string> args, int& code) {
  args.insert(args.begin(), "nexus-bench");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return parse_bench_options(static_cast<int>(args.size()), argv.data(), code);
}

}  // namespace

TEST(ParseSize, AcceptsBinarySuffixes) {
  EXPECT_EQ(parse_size("512"), 512u);
  EXPECT_EQ(parse_size("4k"), 4096u);
  EXPECT_EQ(parse_size("128K"), 131072u);
  EXPECT_EQ(parse_size("1G"), 1ull << 30);
  EXPECT_EQ(parse_size("2MiB"), 2ull << 20);
}

TEST(ParseSize, RejectsGarbage) {
  EXPECT_FALSE(parse_size(""));
  EXPECT_FALSE(parse_size("k"));
  EXPECT_FALSE(parse_size("-4k"));
  EXPECT_FALSE(parse_size("4x"));
  EXPECT_FALSE(parse_size("99999999999999999999"));
  EXPECT_FALSE(parse_size("17179869184G"));  // overflows 64 bits
}

TEST(BenchOptions, ParsesAFullCommandLine) {
  int code = -1;
  auto o = parse({"--url",
                  "iscsi://127.0.0.1:3262/iqn.x:disk/2",
                  "-s",
                  "4",
                  "-q",
                  "32",
                  "--bs",
                  "128k",
                  "--pattern",
                  "seq",
                  "--rw",
                  "mix",
                  "-t",
                  "2.5",
                  "-w",
                  "0",
                  "--target-pid",
                  "42",
                  "--count-syscalls",
                  "--format",
                  "kv"},
                 code);
  ASSERT_TRUE(o);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(o->sessions, 4);
  EXPECT_EQ(o->queue_depth, 32);
  EXPECT_EQ(o->block_size, 131072u);
  EXPECT_EQ(o->pattern, AccessPattern::kSequential);
  EXPECT_EQ(o->read_percent, 70);
  EXPECT_DOUBLE_EQ(o->seconds, 2.5);
  EXPECT_DOUBLE_EQ(o->warmup_seconds, 0.0);
  EXPECT_EQ(o->target_pid, 42);
  EXPECT_TRUE(o->count_syscalls);
}

TEST(BenchOptions, ExplicitReadPercentWinsOverMixDefault) {
  int code = -1;
  auto o = parse({"-u", "iscsi://h/iqn.x/0", "--read-pct", "30", "--rw", "mix"}, code);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->read_percent, 30);
}

TEST(BenchOptions, RejectsBadInputWithUsageStatus) {
  int code = -1;
  EXPECT_FALSE(parse({"-q", "32"}, code));  // no URL
  EXPECT_EQ(code, 2);
  EXPECT_FALSE(parse({"-u", "iscsi://h/iqn.x/0", "-q", "0"}, code));
  EXPECT_EQ(code, 2);
  EXPECT_FALSE(parse({"-u", "iscsi://h/iqn.x/0", "--bs", "lots"}, code));
  EXPECT_FALSE(parse({"-u", "iscsi://h/iqn.x/0", "--count-syscalls"}, code));  // needs a pid
  EXPECT_FALSE(parse({"-u", "iscsi://h/iqn.x/0", "--iscsi-perf", "--rw", "write"}, code));
  EXPECT_FALSE(parse({"-u", "iscsi://h/iqn.x/0", "stray"}, code));
  EXPECT_EQ(code, 2);
}
