// Runs a real program under malloc-count.so and reads its counters file.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "malloc_count_layout.h"

namespace {

TEST(MallocCount, CountsAllocationsOfAPreloadedProcessIntoItsPidFile) {
  char dir_template[] = "/tmp/malloc-count-test.XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  std::string file_env = "NEXUS_MALLOC_COUNT_FILE=" + dir + "/counts.%p";
  std::string preload_env = std::string("LD_PRELOAD=") + NEXUS_MALLOC_COUNT_SO;
  char* envp[] = {file_env.data(), preload_env.data(), nullptr};
  // sort allocates its line buffers through malloc.
  char* argv[] = {const_cast<char*>("sort"), const_cast<char*>("/etc/hostname"), nullptr};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  ASSERT_EQ(posix_spawnp(&pid, "sort", &fa, nullptr, argv, envp), 0);
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  const std::string path = dir + "/counts." + std::to_string(pid);
  int fd = open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0) << path;
  nexus::bench::MallocCounters c{};
  ASSERT_EQ(pread(fd, &c, sizeof c, 0), static_cast<ssize_t>(sizeof c));
  close(fd);
  EXPECT_EQ(c.magic, nexus::bench::kMallocCountMagic);
  EXPECT_EQ(c.pid, static_cast<uint64_t>(pid));
  EXPECT_GT(nexus::bench::allocation_calls(c), 0u);
  EXPECT_GT(c.free_calls, 0u);
  unlink(path.c_str());
  rmdir(dir.c_str());
}

}  // namespace
