// Umbrella header for plugin authors.
#pragma once

#include "nexus/abi.h"
#include "nexus/bytes.hpp"
#include "nexus/config.hpp"
#include "nexus/config_node.h"
#include "nexus/device.h"
#include "nexus/handler.hpp"
#include "nexus/log.hpp"
#include "nexus/opcode.h"
#include "nexus/plugin.h"
#include "nexus/plugin.hpp"
#include "nexus/reactor.h"
#include "nexus/scsi.h"
#include "nexus/sense.hpp"
#include "nexus/transport.h"
