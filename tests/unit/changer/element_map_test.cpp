// The element map: addresses, placement and the MOVE/EXCHANGE rules.
#include <gtest/gtest.h>

#include "element_map.h"

namespace nexus::changer {
namespace {

Placement pl(const char* b, uint16_t a, bool imported = false) {
  return Placement{b, a, std::nullopt, imported};
}

std::vector<Cartridge> carts(std::initializer_list<const char*> b) {
  std::vector<Cartridge> v;
  for (auto* s : b) v.push_back(Cartridge{s, false});
  return v;
}

TEST(ElementMap, AddressesFollowTheDocumentedLayout) {
  ElementMap m(2, 10, 3);
  ASSERT_EQ(m.elements().size(), 1u + 3 + 2 + 10);
  EXPECT_EQ(m.find(0x0000)->type, ElementType::transport);
  EXPECT_EQ(m.find(0x0010)->type, ElementType::import_export);
  EXPECT_EQ(m.find(0x0012)->index, 2);
  EXPECT_EQ(m.find(0x0013), nullptr);
  EXPECT_EQ(m.find(0x0100)->type, ElementType::data_transfer);
  EXPECT_EQ(m.find(0x0101)->index, 1);
  EXPECT_EQ(m.find(0x0102), nullptr);
  EXPECT_EQ(m.find(0x1000)->type, ElementType::storage);
  EXPECT_EQ(m.find(0x1009)->index, 9);
  EXPECT_EQ(m.find(0x100A), nullptr);
  EXPECT_EQ(m.find(0x0001), nullptr);
  EXPECT_EQ(m.find(0xFFFF), nullptr);
  EXPECT_EQ(m.count(ElementType::storage), 10u);
  EXPECT_EQ(m.first(ElementType::data_transfer), 0x0100);
  // Ascending address order.
  for (size_t i = 1; i < m.elements().size(); ++i)
    EXPECT_LT(m.elements()[i - 1].address, m.elements()[i].address);
}

TEST(ElementMap, AssignRejectsBadPlacementsAndKeepsTheMap) {
  ElementMap m(1, 4, 1);
  std::string why;
  ASSERT_TRUE(m.assign(carts({"A", "B"}), {pl("A", 0x1000), pl("B", 0x0010, true)}, &why)) << why;
  EXPECT_TRUE(m.find(0x0010)->imported);
  EXPECT_FALSE(m.assign(carts({"A", "B"}), {pl("A", 0x1000), pl("B", 0x1000)}, &why));
  EXPECT_NE(why.find("taken"), std::string::npos);
  EXPECT_FALSE(m.assign(carts({"A"}), {pl("A", 0x0000)}, &why));       // the transport
  EXPECT_FALSE(m.assign(carts({"A"}), {pl("A", 0x1004)}, &why));       // no such slot
  EXPECT_FALSE(m.assign(carts({"A"}), {pl("Z", 0x1000)}, &why));       // unknown barcode
  EXPECT_FALSE(m.assign(carts({"A", "B"}), {pl("A", 0x1000)}, &why));  // B has no place
  // Unchanged by the failures.
  EXPECT_EQ(m.cartridge_at(0x1000)->barcode, "A");
  EXPECT_EQ(m.cartridge_at(0x0010)->barcode, "B");
}

TEST(ElementMap, MoveChecksInFieldOrder) {
  ElementMap m(1, 3, 1);
  std::string why;
  ASSERT_TRUE(m.assign(carts({"A", "B"}), {pl("A", 0x1000), pl("B", 0x1001)}, &why));
  EXPECT_EQ(m.check_move(1, 0x1000, 0x1002), MoveCheck::invalid_transport);
  EXPECT_EQ(m.check_move(0, 0x2000, 0x1002), MoveCheck::invalid_source);
  EXPECT_EQ(m.check_move(0, 0x0000, 0x1002), MoveCheck::invalid_source);
  EXPECT_EQ(m.check_move(0, 0x1000, 0x0000), MoveCheck::invalid_destination);
  EXPECT_EQ(m.check_move(0, 0x1000, 0x0011), MoveCheck::invalid_destination);
  EXPECT_EQ(m.check_move(0, 0x1002, 0x0100), MoveCheck::source_empty);
  EXPECT_EQ(m.check_move(0, 0x1000, 0x1001), MoveCheck::destination_full);
  EXPECT_EQ(m.check_move(0, 0x1000, 0x1000), MoveCheck::destination_full);
  EXPECT_EQ(m.check_move(0, 0x1000, 0x0100), MoveCheck::ok);
  m.move(0x1000, 0x0100);
  EXPECT_EQ(m.cartridge_at(0x0100)->barcode, "A");
  EXPECT_EQ(m.find(0x0100)->source, 0x1000);
  EXPECT_EQ(m.cartridge_at(0x1000), nullptr);
  EXPECT_FALSE(m.find(0x1000)->source);
}

TEST(ElementMap, ExchangeSwapsAndRotates) {
  ElementMap m(1, 3, 0);
  std::string why;
  ASSERT_TRUE(m.assign(carts({"A", "B"}), {pl("A", 0x1000), pl("B", 0x1001)}, &why));
  EXPECT_EQ(m.check_exchange(0, 0x1000, 0x1001, 0x1000), MoveCheck::ok);
  EXPECT_EQ(m.check_exchange(0, 0x1000, 0x1002, 0x1000), MoveCheck::source_empty);
  EXPECT_EQ(m.check_exchange(0, 0x1000, 0x1001, 0x1001), MoveCheck::destination_full);
  EXPECT_EQ(m.check_exchange(0, 0x1000, 0x1000, 0x1002), MoveCheck::invalid_destination);
  EXPECT_EQ(m.check_exchange(0, 0x1000, 0x1001, 0x0000), MoveCheck::invalid_destination);
  m.exchange(0x1000, 0x1001, 0x1000);
  EXPECT_EQ(m.cartridge_at(0x1000)->barcode, "B");
  EXPECT_EQ(m.cartridge_at(0x1001)->barcode, "A");
  m.exchange(0x1000, 0x1001, 0x1002);  // B -> 1001, A -> 1002
  EXPECT_EQ(m.cartridge_at(0x1000), nullptr);
  EXPECT_EQ(m.cartridge_at(0x1001)->barcode, "B");
  EXPECT_EQ(m.cartridge_at(0x1002)->barcode, "A");
  EXPECT_EQ(m.find(0x1002)->source, 0x1001);
}

}  // namespace
}  // namespace nexus::changer
