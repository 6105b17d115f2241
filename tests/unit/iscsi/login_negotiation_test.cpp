#include "login_negotiation.h"

#include <gtest/gtest.h>

namespace nexus::iscsi {
namespace {

// Negotiates `in` and returns the answers as a map.
KeyValues answer(OperationalNegotiator& n, const KeyValues& in) {
  std::string reply;
  n.negotiate(in, &reply);
  KeyValues out;
  EXPECT_EQ(parse_text(reply, &out), TextError::ok);
  return out;
}
std::string value(const KeyValues& kv, const std::string& key) {
  const KeyValue* p = find_key(kv, key);
  return p ? p->value : "<absent>";
}

TEST(Negotiation, TypicalLinuxOffer) {
  TargetOffer offer;
  OperationalNegotiator n(offer, false);
  KeyValues out = answer(n, {{"HeaderDigest", "None"},
                             {"DataDigest", "None"},
                             {"MaxConnections", "1"},
                             {"InitialR2T", "Yes"},
                             {"ImmediateData", "Yes"},
                             {"MaxRecvDataSegmentLength", "262144"},
                             {"MaxBurstLength", "16776192"},
                             {"FirstBurstLength", "262144"},
                             {"DefaultTime2Wait", "2"},
                             {"DefaultTime2Retain", "0"},
                             {"MaxOutstandingR2T", "1"},
                             {"DataPDUInOrder", "Yes"},
                             {"DataSequenceInOrder", "Yes"},
                             {"ErrorRecoveryLevel", "0"},
                             {"IFMarker", "No"},
                             {"OFMarker", "No"}});
  EXPECT_EQ(value(out, "HeaderDigest"), "None");
  EXPECT_EQ(value(out, "MaxConnections"), "1");
  EXPECT_EQ(value(out, "InitialR2T"), "Yes");  // OR
  EXPECT_EQ(value(out, "ImmediateData"), "Yes");
  EXPECT_EQ(value(out, "MaxBurstLength"), "1048576");  // min
  EXPECT_EQ(value(out, "FirstBurstLength"), "65536");  // min
  EXPECT_EQ(value(out, "DefaultTime2Wait"), "2");
  EXPECT_EQ(value(out, "DefaultTime2Retain"), "0");
  EXPECT_EQ(value(out, "MaxOutstandingR2T"), "1");
  EXPECT_EQ(value(out, "ErrorRecoveryLevel"), "0");
  EXPECT_EQ(value(out, "IFMarker"), "No");
  EXPECT_EQ(value(out, "MaxRecvDataSegmentLength"), "262144");  // our declaration
  const SessionParams& p = n.params();
  EXPECT_EQ(p.initiator_max_recv, 262144u);
  EXPECT_EQ(p.target_max_recv, 262144u);
  EXPECT_EQ(p.max_burst, 1048576u);
  EXPECT_EQ(p.first_burst, 65536u);
  EXPECT_TRUE(p.initial_r2t);
}

TEST(Negotiation, DigestsPickFirstSupported) {
  OperationalNegotiator n(TargetOffer{}, false);
  KeyValues out = answer(n, {{"HeaderDigest", "CRC32C,None"}, {"DataDigest", "None,CRC32C"}});
  EXPECT_EQ(value(out, "HeaderDigest"), "CRC32C");
  EXPECT_EQ(value(out, "DataDigest"), "None");
  EXPECT_EQ(n.params().header_digest, Digest::crc32c);
  EXPECT_EQ(n.params().data_digest, Digest::none);

  TargetOffer no_crc;
  no_crc.allow_header_digest = false;
  OperationalNegotiator m(no_crc, false);
  EXPECT_EQ(value(answer(m, {{"HeaderDigest", "CRC32C"}}), "HeaderDigest"), "Reject");
  EXPECT_EQ(value(answer(m, {{"DataDigest", "MD5,SHA1"}}), "DataDigest"), "Reject");
}

TEST(Negotiation, BooleanFunctions) {
  TargetOffer offer;
  offer.initial_r2t = false;
  offer.immediate_data = false;
  OperationalNegotiator n(offer, false);
  KeyValues out = answer(n, {{"InitialR2T", "No"}, {"ImmediateData", "Yes"}});
  EXPECT_EQ(value(out, "InitialR2T"), "No");     // No OR No
  EXPECT_EQ(value(out, "ImmediateData"), "No");  // Yes AND No
  EXPECT_EQ(value(answer(n, {{"DataPDUInOrder", "No"}}), "DataPDUInOrder"), "Yes");
  EXPECT_EQ(value(answer(n, {{"ImmediateData", "maybe"}}), "ImmediateData"), "Reject");
}

TEST(Negotiation, FirstBurstIrrelevantWithoutUnsolicitedData) {
  TargetOffer offer;
  offer.immediate_data = false;
  OperationalNegotiator n(offer, false);
  // FirstBurstLength listed before InitialR2T/ImmediateData still sees them.
  KeyValues out =
      answer(n, {{"FirstBurstLength", "65536"}, {"InitialR2T", "Yes"}, {"ImmediateData", "Yes"}});
  EXPECT_EQ(value(out, "FirstBurstLength"), "Irrelevant");
}

TEST(Negotiation, FirstBurstCappedByMaxBurst) {
  TargetOffer offer;
  offer.first_burst_length = 1 << 20;
  OperationalNegotiator n(offer, false);
  KeyValues out = answer(n, {{"FirstBurstLength", "262144"}, {"MaxBurstLength", "8192"}});
  EXPECT_EQ(value(out, "MaxBurstLength"), "8192");
  EXPECT_EQ(value(out, "FirstBurstLength"), "8192");
}

TEST(Negotiation, OutOfRangeAndGarbageAreRejected) {
  OperationalNegotiator n(TargetOffer{}, false);
  KeyValues out = answer(n, {{"MaxBurstLength", "16777216"},
                             {"FirstBurstLength", "abc"},
                             {"DefaultTime2Wait", "3601"},
                             {"DefaultTime2Retain", "-1"},
                             {"MaxOutstandingR2T", "0"},
                             {"ErrorRecoveryLevel", "3"},
                             {"MaxConnections", "0"},
                             {"iSCSIProtocolLevel", "32"}});
  for (const auto& kv : out) EXPECT_EQ(kv.value, "Reject") << kv.key;
  EXPECT_EQ(out.size(), 8u);
  // Defaults stay in force.
  EXPECT_EQ(n.params().initiator_max_recv, 8192u);
  EXPECT_EQ(n.params().max_burst, 262144u);
}

TEST(Negotiation, BadMaxRecvDataSegmentLengthKeepsDefault) {
  OperationalNegotiator n(TargetOffer{}, false);
  KeyValues out = answer(n, {{"MaxRecvDataSegmentLength", "511"}});
  ASSERT_EQ(out.size(), 1u);  // only our declaration, never a duplicate key
  EXPECT_EQ(value(out, "MaxRecvDataSegmentLength"), "262144");
  EXPECT_EQ(n.params().initiator_max_recv, 8192u);
}

TEST(Negotiation, HexValuesAccepted) {
  OperationalNegotiator n(TargetOffer{}, false);
  KeyValues out = answer(n, {{"MaxBurstLength", "0x10000"}});
  EXPECT_EQ(value(out, "MaxBurstLength"), "65536");
}

TEST(Negotiation, ErlAndConnectionsClampedToOurSupport) {
  OperationalNegotiator n(TargetOffer{}, false);
  KeyValues out = answer(n, {{"ErrorRecoveryLevel", "2"},
                             {"MaxConnections", "8"},
                             {"DefaultTime2Wait", "0"},
                             {"DefaultTime2Retain", "20"}});
  EXPECT_EQ(value(out, "ErrorRecoveryLevel"), "0");
  EXPECT_EQ(value(out, "MaxConnections"), "1");
  EXPECT_EQ(value(out, "DefaultTime2Wait"), "2");    // max
  EXPECT_EQ(value(out, "DefaultTime2Retain"), "0");  // min
}

TEST(Negotiation, UnknownAndTargetOnlyKeys) {
  OperationalNegotiator n(TargetOffer{}, false);
  KeyValues out = answer(n, {{"X-com.example.Foo", "1"},
                             {"FooBar", "x"},
                             {"TargetAlias", "x"},
                             {"SendTargets", "All"},
                             {"OFMarkInt", "2048~8192"},
                             {"TaskReporting", "ResponseFence,RFC3720"}});
  EXPECT_EQ(value(out, "X-com.example.Foo"), "NotUnderstood");
  EXPECT_EQ(value(out, "FooBar"), "NotUnderstood");
  EXPECT_EQ(value(out, "TargetAlias"), "Reject");
  EXPECT_EQ(value(out, "SendTargets"), "Reject");
  EXPECT_EQ(value(out, "OFMarkInt"), "Irrelevant");
  EXPECT_EQ(value(out, "TaskReporting"), "RFC3720");
}

TEST(Negotiation, IdentityAndSecurityKeysAreNotAnswered) {
  OperationalNegotiator n(TargetOffer{}, false);
  KeyValues out = answer(n, {{"InitiatorName", "iqn.x"},
                             {"AuthMethod", "None"},
                             {"CHAP_A", "5"},
                             {"InitiatorAlias", "host"}});
  EXPECT_TRUE(out.empty());
}

TEST(Negotiation, DiscoverySessionIrrelevantKeys) {
  OperationalNegotiator n(TargetOffer{}, true);
  KeyValues out = answer(n, {{"InitialR2T", "No"},
                             {"MaxBurstLength", "8192"},
                             {"HeaderDigest", "None"},
                             {"MaxRecvDataSegmentLength", "32768"}});
  EXPECT_EQ(value(out, "InitialR2T"), "Irrelevant");
  EXPECT_EQ(value(out, "MaxBurstLength"), "Irrelevant");
  EXPECT_EQ(value(out, "HeaderDigest"), "None");
  EXPECT_EQ(n.params().initiator_max_recv, 32768u);
}

TEST(Negotiation, DeclaresOnlyOnce) {
  OperationalNegotiator n(TargetOffer{}, false);
  std::string a, b;
  n.declare(&a);
  n.declare(&b);
  EXPECT_FALSE(a.empty());
  EXPECT_TRUE(b.empty());
}

}  // namespace
}  // namespace nexus::iscsi
