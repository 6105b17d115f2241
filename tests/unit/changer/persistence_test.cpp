// Library contents survive restarts; the YAML wins when it changes the set
// of cartridges; an unusable state file falls back to the YAML with a warning.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "changer_state_file.h"
#include "library_fixture.h"

namespace nexus::changer::test {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::optional<uint16_t> where(ChangerDevice* c, const std::string& barcode) {
  for (auto& p : c->placements())
    if (p.barcode == barcode) return p.address;
  return std::nullopt;
}

TEST(StateFile, SerializeParseRoundTrip) {
  PersistedState s;
  s.cartridge_set = cartridge_set_digest({{"B", false}, {"A", false}});
  EXPECT_EQ(s.cartridge_set, cartridge_set_digest({{"A", true}, {"B", false}}));  // order-free
  EXPECT_NE(s.cartridge_set, cartridge_set_digest({{"A", false}}));
  s.placements = {{"A", 0x1000, std::nullopt, false}, {"B", 0x0010, 0x1003, true}};
  std::string text = serialize_state(s);
  PersistedState back;
  std::string why;
  ASSERT_TRUE(parse_state(text, &back, &why)) << why;
  EXPECT_EQ(back.cartridge_set, s.cartridge_set);
  ASSERT_EQ(back.placements.size(), 2u);
  EXPECT_EQ(back.placements[1].barcode, "B");
  EXPECT_EQ(back.placements[1].address, 0x0010);
  EXPECT_EQ(back.placements[1].source, 0x1003);
  EXPECT_TRUE(back.placements[1].imported);
  EXPECT_FALSE(back.placements[0].source);
}

TEST(StateFile, ParseRejectsDamage) {
  PersistedState s{"0123456789abcdef", {{"A", 0x1000, std::nullopt, false}}};
  std::string text = serialize_state(s);
  std::string why;
  PersistedState out;
  EXPECT_FALSE(parse_state(text.substr(0, text.size() / 2), &out, &why));  // truncated
  std::string flipped = text;
  flipped[flipped.find("1000")] = '2';
  EXPECT_FALSE(parse_state(flipped, &out, &why));
  EXPECT_EQ(why, "checksum mismatch");
  EXPECT_FALSE(parse_state("", &out, &why));
  EXPECT_FALSE(parse_state("garbage\nend 0\n", &out, &why));
}

TEST(StateFile, WriteIsAtomicAndLeavesNoTemp) {
  TempDir d;
  std::string why;
  ASSERT_TRUE(write_state_file(d.file("x.changer"), "one\n", &why)) << why;
  ASSERT_TRUE(write_state_file(d.file("x.changer"), "two\n", &why)) << why;
  EXPECT_EQ(read_all(d.file("x.changer")), "two\n");
  EXPECT_EQ(::access(d.file("x.changer.tmp").c_str(), F_OK), -1);
  EXPECT_FALSE(write_state_file("/nonexistent-dir/x.changer", "x", &why));
  EXPECT_FALSE(why.empty());
}

TEST(ChangerPersistence, FirstStartWritesTheYamlPlacement) {
  Library lib;
  ASSERT_EQ(lib.start(), Status::ok);
  EXPECT_TRUE(lib.host.logged("I changer: no state file yet"));
  std::string text = read_all(lib.state.file("library0.changer"));
  PersistedState s;
  std::string why;
  ASSERT_TRUE(parse_state(text, &s, &why)) << why << "\n" << text;
  EXPECT_EQ(s.placements.size(), 5u);
}

TEST(ChangerPersistence, MovesSurviveARestart) {
  Library lib;
  ASSERT_EQ(lib.start(), Status::ok);
  EXPECT_GOOD(lib.exec(move_cdb(kSlot1, kSlot1 + 6)));       // A00001L8 -> slot 7
  EXPECT_GOOD(lib.exec(move_cdb(kSlot1 + 1, kDrive0 + 1)));  // A00002L8 -> drive 1
  ASSERT_EQ(lib.start(), Status::ok);                        // restart, same YAML
  EXPECT_TRUE(lib.host.logged("I changer: restored the persisted placement"));
  EXPECT_EQ(where(lib.changer(), "A00001L8"), kSlot1 + 6);
  EXPECT_EQ(where(lib.changer(), "A00002L8"), kDrive0 + 1);
  // Source addresses persist too (SVALID).
  for (auto& p : lib.changer()->placements())
    if (p.barcode == "A00001L8") {
      EXPECT_EQ(p.source, kSlot1);
    }
}

TEST(ChangerPersistence, RestartReloadsCartridgesIntoEmptyDrives) {
  Library lib;
  ASSERT_EQ(lib.start(), Status::ok);
  EXPECT_GOOD(lib.exec(move_cdb(kSlot1 + 2, kDrive0)));  // write-protected A00003L8
  FakeTape fresh("SN0000000");                           // the drive after a server restart: empty
  lib.host.peers["tape0"] = &fresh;
  ASSERT_EQ(lib.start(), Status::ok);
  lib.changer()->restore_drives();
  EXPECT_EQ(fresh.state(), MediumState::loaded);
  EXPECT_EQ(fresh.path(), lib.path_of("A00003L8"));
  EXPECT_TRUE(fresh.write_protected());
  lib.changer()->restore_drives();  // once only
  EXPECT_EQ(fresh.loads, 1);
}

TEST(ChangerPersistence, ChangedCartridgeSetMeansTheYamlWins) {
  Library lib;
  ASSERT_EQ(lib.start(), Status::ok);
  EXPECT_GOOD(lib.exec(move_cdb(kSlot1, kSlot1 + 6)));
  auto carts = default_carts();
  carts.push_back({"A00009L8", "slot", 9});
  lib.media.touch("A00009L8.tape");
  ASSERT_EQ(lib.start(library_options(lib.media.path(), carts)), Status::ok);
  EXPECT_TRUE(lib.host.logged("I changer: the YAML changed the set of cartridges"));
  EXPECT_EQ(where(lib.changer(), "A00001L8"), kSlot1);
  EXPECT_EQ(where(lib.changer(), "A00009L8"), kSlot1 + 8);
  // ... and the new placement is what the next restart restores.
  EXPECT_GOOD(lib.exec(move_cdb(kSlot1 + 8, kSlot1 + 7)));
  ASSERT_EQ(lib.start(library_options(lib.media.path(), carts)), Status::ok);
  EXPECT_EQ(where(lib.changer(), "A00009L8"), kSlot1 + 7);
}

TEST(ChangerPersistence, SameSetDifferentYamlSlotsKeepsThePersistedPlacement) {
  Library lib;
  ASSERT_EQ(lib.start(), Status::ok);
  auto carts = default_carts();
  carts[0].n = 5;  // YAML moves A00001L8 to slot 5: not a change of the set
  ASSERT_EQ(lib.start(library_options(lib.media.path(), carts)), Status::ok);
  EXPECT_EQ(where(lib.changer(), "A00001L8"), kSlot1);
}

TEST(ChangerPersistence, CorruptStateFileFallsBackToTheYamlWithAWarning) {
  Library lib;
  ASSERT_EQ(lib.start(), Status::ok);
  EXPECT_GOOD(lib.exec(move_cdb(kSlot1, kSlot1 + 6)));
  std::string path = lib.state.file("library0.changer");
  std::string text = read_all(path);
  std::ofstream(path, std::ios::trunc) << text.substr(0, text.size() - 10);
  ASSERT_EQ(lib.start(), Status::ok);
  EXPECT_TRUE(lib.host.logged("W changer: state file unusable"));
  EXPECT_EQ(where(lib.changer(), "A00001L8"), kSlot1);
  // The fresh state was written back and is usable again.
  ASSERT_EQ(lib.start(), Status::ok);
  EXPECT_TRUE(lib.host.logged("I changer: restored the persisted placement"));
}

TEST(ChangerPersistence, StateThatNoLongerFitsFallsBackToTheYaml) {
  Library lib;
  ASSERT_EQ(lib.start(), Status::ok);
  EXPECT_GOOD(lib.exec(move_cdb(kSlot1, kSlot1 + 8)));  // slot 9
  auto carts = default_carts();
  carts[3].n = 8;  // CLN001L1 from slot 10 to 8 so the YAML fits 8 slots
  ASSERT_EQ(lib.start(library_options(lib.media.path(), carts, 8)), Status::ok);
  EXPECT_TRUE(lib.host.logged("W changer: state file does not fit the library"));
  EXPECT_EQ(where(lib.changer(), "A00001L8"), kSlot1);
}

}  // namespace
}  // namespace nexus::changer::test
