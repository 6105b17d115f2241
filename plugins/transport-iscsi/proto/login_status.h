// Login Response Status-Class/Status-Detail (RFC 7143 §11.13.5), as one
// 16-bit value: class << 8 | detail.
#pragma once

#include <cstdint>

namespace nexus::iscsi::login_status {

constexpr uint16_t success = 0x0000;
constexpr uint16_t target_moved_temporarily = 0x0101;
constexpr uint16_t target_moved_permanently = 0x0102;
constexpr uint16_t initiator_error = 0x0200;
constexpr uint16_t authentication_failure = 0x0201;
constexpr uint16_t authorization_failure = 0x0202;
constexpr uint16_t not_found = 0x0203;
constexpr uint16_t target_removed = 0x0204;
constexpr uint16_t unsupported_version = 0x0205;
constexpr uint16_t too_many_connections = 0x0206;
constexpr uint16_t missing_parameter = 0x0207;
constexpr uint16_t cant_include_in_session = 0x0208;
constexpr uint16_t session_type_not_supported = 0x0209;
constexpr uint16_t session_does_not_exist = 0x020a;
constexpr uint16_t invalid_during_login = 0x020b;
constexpr uint16_t target_error = 0x0300;
constexpr uint16_t service_unavailable = 0x0301;
constexpr uint16_t out_of_resources = 0x0302;

}  // namespace nexus::iscsi::login_status
