// ReservationStore: atomic save, load, removal when APTPL is cleared.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "pr_test_util.h"
#include "reservations/reservation_store.h"

namespace nexus::server::resv::test {
namespace {

namespace fs = std::filesystem;

class Store : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("nexus-resv-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    file = dir / "lu0.pr";
  }
  void TearDown() override { fs::remove_all(dir); }
  static std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  fs::path dir, file;
};

TEST_F(Store, SaveLoadRoundTrip) {
  ReservationState s;
  expect_good(do_register(s, A, 0, 0xA, {false, false, true}));
  expect_good(do_reserve(s, A, 0xA, PrType::exclusive_access_registrants_only));
  std::string err;
  ASSERT_TRUE(ReservationStore::save(file, s, &err)) << err;
  EXPECT_FALSE(fs::exists(ReservationStore::temp_path(file)));
  EXPECT_EQ(slurp(file), s.serialize());
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::others_read, fs::perms::none);
  auto back = ReservationStore::load(file, &err);
  ASSERT_TRUE(back) << err;
  EXPECT_TRUE(back->is_holder(A));
  EXPECT_TRUE(back->aptpl());
}

TEST_F(Store, MissingFileIsEmptyState) {
  std::string err;
  auto s = ReservationStore::load(dir / "nothing.pr", &err);
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->registrations().empty());
  EXPECT_FALSE(s->aptpl());
}

TEST_F(Store, CorruptFileIsAnError) {
  std::ofstream(file) << "nexus-pr-state 1\naptpl 1\nreg broken\n";
  std::string err;
  EXPECT_FALSE(ReservationStore::load(file, &err));
  EXPECT_NE(err.find(file.string()), std::string::npos);
  EXPECT_NE(err.find("line 3"), std::string::npos);
}

TEST_F(Store, AptplClearedRemovesFile) {
  ReservationState s;
  expect_good(do_register(s, A, 0, 0xA, {false, false, true}));
  ASSERT_TRUE(ReservationStore::save(file, s, nullptr));
  ASSERT_TRUE(fs::exists(file));
  Outcome o = do_register(s, A, 0xA, 0xAB);  // APTPL=0
  ASSERT_TRUE(o.state_changed_persistent);
  std::string err;
  ASSERT_TRUE(ReservationStore::save(file, s, &err)) << err;
  EXPECT_FALSE(fs::exists(file));
  // Saving without APTPL when there is no file is fine too.
  EXPECT_TRUE(ReservationStore::save(file, s, &err)) << err;
  auto back = ReservationStore::load(file, &err);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->registrations().empty());
}

TEST_F(Store, FailedSaveKeepsOldFile) {
  ReservationState s;
  expect_good(do_register(s, A, 0, 0xA, {false, false, true}));
  ASSERT_TRUE(ReservationStore::save(file, s, nullptr));
  const std::string before = slurp(file);
  // The temporary file cannot be created: a directory sits at its path.
  fs::create_directory(ReservationStore::temp_path(file));
  expect_good(do_register(s, B, 0, 0xB, {false, false, true}));
  std::string err;
  EXPECT_FALSE(ReservationStore::save(file, s, &err));
  EXPECT_FALSE(err.empty());
  EXPECT_EQ(slurp(file), before);
  auto back = ReservationStore::load(file, nullptr);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->registrations().size(), 1u);
  // Once the obstacle is gone the save goes through.
  fs::remove(ReservationStore::temp_path(file));
  ASSERT_TRUE(ReservationStore::save(file, s, &err)) << err;
  EXPECT_EQ(ReservationStore::load(file, nullptr)->registrations().size(), 2u);
}

TEST_F(Store, MissingDirectoryFails) {
  ReservationState s;
  expect_good(do_register(s, A, 0, 0xA, {false, false, true}));
  std::string err;
  EXPECT_FALSE(ReservationStore::save(dir / "no" / "such" / "lu.pr", s, &err));
  EXPECT_FALSE(err.empty());
}

TEST_F(Store, ReplacesExistingFileAtomically) {
  ReservationState s;
  expect_good(do_register(s, A, 0, 0xA, {false, false, true}));
  ASSERT_TRUE(ReservationStore::save(file, s, nullptr));
  auto ino_before = fs::hard_link_count(file);
  expect_good(do_register(s, B, 0, 0xB, {false, false, true}));
  ASSERT_TRUE(ReservationStore::save(file, s, nullptr));
  EXPECT_EQ(fs::hard_link_count(file), ino_before);
  EXPECT_EQ(slurp(file), s.serialize());
  // Only the state file is left in the directory.
  size_t n = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(dir)) ++n;
  EXPECT_EQ(n, 1u);
}

}  // namespace
}  // namespace nexus::server::resv::test
