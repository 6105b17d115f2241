// Options and the factory's validation (media files must exist).
#include <gtest/gtest.h>

#include "changer_options.h"
#include "library_fixture.h"

namespace nexus::changer::test {
namespace {

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (auto& e : v) s += e + "\n";
  return s;
}

TEST(ChangerOptions, ParsesACompleteLibrary) {
  TempDir d;
  auto n = library_options(
      d.path(), default_carts(), 10, 2,
      {{"vendor", Node::s("STK")}, {"product", Node::s("L700")}, {"serial", Node::s("LIB01")}});
  std::vector<std::string> errors;
  n->finish(&errors);
  ChangerOptions o;
  ASSERT_TRUE(parse_changer_options(n.get(), &o)) << joined(errors);
  EXPECT_EQ(o.drives, (std::vector<std::string>{"tape0", "tape1"}));
  EXPECT_EQ(o.slots, 10u);
  EXPECT_EQ(o.import_export, 2u);
  ASSERT_EQ(o.cartridges.size(), 5u);
  EXPECT_EQ(o.cartridges[0].placement.address, 0x1000);
  EXPECT_EQ(o.cartridges[2].cartridge.write_protect, true);
  EXPECT_EQ(o.cartridges[3].placement.address, 0x1009);
  EXPECT_EQ(o.cartridges[4].placement.address, 0x0011);
  EXPECT_TRUE(o.cartridges[4].placement.imported);
  EXPECT_EQ(o.vendor, "STK");
  EXPECT_EQ(o.product, "L700");
  EXPECT_EQ(o.serial, "LIB01");
  EXPECT_EQ(o.revision, "0001");
}

struct BadCase {
  const char* what;
  std::function<Node::Ptr(const std::string&)> make;
  const char* error_path;
  const char* error_text;
};

TEST(ChangerOptions, ReportsEachErrorAtItsNode) {
  const BadCase cases[] = {
      {"no drives",
       [](const std::string&) {
         return Node::map({{"slots", Node::s("4")}});
       },
       "options", "missing required key 'drives'"},
      {"drives not a list",
       [](const std::string&) {
         return Node::map({{"drives", Node::s("tape0")}, {"slots", Node::s("4")}});
       },
       "options.drives", "must be a list"},
      {"duplicate drive",
       [](const std::string&) {
         return Node::map(
             {{"drives", Node::seq({Node::s("t"), Node::s("t")})}, {"slots", Node::s("4")}});
       },
       "options.drives[1]", "listed twice"},
      {"no slots",
       [](const std::string&) {
         return Node::map({{"drives", Node::seq({Node::s("t")})}});
       },
       "options", "missing required key 'slots'"},
      {"too many slots",
       [](const std::string&) {
         return Node::map({{"drives", Node::seq({Node::s("t")})}, {"slots", Node::s("5000")}});
       },
       "options.slots", "from 1 to 4096"},
      {"slot out of range",
       [](const std::string& d) {
         return library_options(d, {{"A00001L8", "slot", 11}});
       },
       "options.cartridges[0].slot", "from 1 to 10"},
      {"bad barcode",
       [](const std::string& d) {
         return library_options(d, {{"A 1", "slot", 1}});
       },
       "options.cartridges[0].barcode", "1-32 characters"},
      {"duplicate barcode",
       [](const std::string& d) {
         return library_options(d, {{"A00001L8", "slot", 1}, {"A00001L8", "slot", 2}});
       },
       "options.cartridges[1]", "listed twice"},
      {"slot taken twice",
       [](const std::string& d) {
         return library_options(d, {{"A00001L8", "slot", 1}, {"A00002L8", "slot", 1}});
       },
       "options.cartridges[1]", "already taken"},
      {"import/export beyond",
       [](const std::string& d) {
         return library_options(d, {{"A00001L8", "import_export", 3}});
       },
       "options.cartridges[0].import_export", "from 1 to 2"},
      {"no media_dir",
       [](const std::string&) {
         return Node::map(
             {{"drives", Node::seq({Node::s("t")})},
              {"slots", Node::s("4")},
              {"cartridges",
               Node::seq({Node::map({{"barcode", Node::s("A1")}, {"slot", Node::s("1")}})})}});
       },
       "options", "'media_dir'"},
      {"long product",
       [](const std::string& d) {
         return library_options(d, {}, 10, 2, {{"product", Node::s("0123456789ABCDEFG")}});
       },
       "options.product", "at most 16"},
  };
  TempDir d;
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.what);
    auto n = c.make(d.path());
    std::vector<std::string> errors;
    n->finish(&errors);
    ChangerOptions o;
    EXPECT_FALSE(parse_changer_options(n.get(), &o));
    bool found = false;
    for (auto& e : errors)
      found |= e.rfind(std::string(c.error_path) + ": ", 0) == 0 &&
               e.find(c.error_text) != std::string::npos;
    EXPECT_TRUE(found) << joined(errors);
  }
}

TEST(ChangerFactory, MissingMediaFileIsAnErrorAtTheCartridge) {
  for (bool check_only : {true, false}) {
    SCOPED_TRACE(check_only ? "check-config" : "start");
    Library lib;
    lib.host.check_only_ = check_only;
    ::unlink(lib.path_of("A00002L8").c_str());
    EXPECT_EQ(lib.start(), Status::invalid_argument);
    EXPECT_EQ(lib.dev, nullptr);
    ASSERT_EQ(lib.errors.size(), 1u) << joined(lib.errors);
    EXPECT_EQ(lib.errors[0].rfind("options.cartridges[1]: media file ", 0), 0u) << lib.errors[0];
    EXPECT_NE(lib.errors[0].find("nexus-mktape"), std::string::npos);
  }
}

TEST(ChangerFactory, CheckOnlyWritesNoState) {
  Library lib;
  lib.host.check_only_ = true;
  ASSERT_EQ(lib.start(), Status::ok) << joined(lib.errors);
  EXPECT_EQ(::access(lib.state.file("library0.changer").c_str(), F_OK), -1);
  EXPECT_GOOD(lib.exec(move_cdb(kSlot1, kSlot1 + 4)));
  EXPECT_EQ(::access(lib.state.file("library0.changer").c_str(), F_OK), -1);
}

TEST(ChangerFactory, IdentityDefaultsAndOverrides) {
  Library lib;
  ASSERT_EQ(lib.start(), Status::ok);
  DeviceInfo info{};
  info.struct_size = sizeof info;
  ASSERT_EQ(lib.dev->info(&info), Status::ok);
  EXPECT_EQ(info.type, PeripheralType::changer);
  EXPECT_STREQ(info.vendor, "NEXUS");
  EXPECT_STREQ(info.product, "VIRTUAL-LIBRARY");
  EXPECT_EQ(std::string(info.serial).rfind("NXL", 0), 0u);
  EXPECT_TRUE(info.flags & DeviceInfoFlags::medium_present);
  EXPECT_TRUE(info.flags & DeviceInfoFlags::removable);
  ASSERT_EQ(lib.start(library_options(lib.media.path(), default_carts(), 10, 2,
                                      {{"vendor", Node::s("HP")},
                                       {"product", Node::s("MSL G3 Series")},
                                       {"revision", Node::s("E.00")},
                                       {"serial", Node::s("DEC1234567")}})),
            Status::ok);
  lib.dev->info(&info);
  EXPECT_STREQ(info.vendor, "HP");
  EXPECT_STREQ(info.product, "MSL G3 Series");
  EXPECT_STREQ(info.revision, "E.00");
  EXPECT_STREQ(info.serial, "DEC1234567");
}

}  // namespace
}  // namespace nexus::changer::test
