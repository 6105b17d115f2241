// A read-only view of one YAML node of the server configuration, handed to a
// plugin's factory for its `options:` block. The core remembers which map keys
// a plugin looked up: keys never looked up are reported as unknown, with file
// and line, by `nexusd --check-config`.
#pragma once

#include "nexus/abi.h"

namespace nexus {

enum class NodeKind : uint8_t { missing = 0, null = 1, scalar = 2, sequence = 3, map = 4 };

class IConfigNode {
 public:
  virtual NodeKind kind() const noexcept = 0;
  // Scalar text (empty for non-scalars). Owned by the core; valid while the
  // factory call runs and for as long as the plugin object lives.
  virtual Str scalar() const noexcept = 0;
  // Number of elements of a sequence or entries of a map.
  virtual uint32_t size() const noexcept = 0;
  // Sequence element or map value i; never null (a missing node past the end).
  virtual const IConfigNode* at(uint32_t i) const noexcept = 0;
  // Map key i (empty for sequences).
  virtual Str key_at(uint32_t i) const noexcept = 0;
  // Map lookup; never null: returns a node of kind missing when absent.
  // Marks the key as known.
  virtual const IConfigNode* get(Str key) const noexcept = 0;
  // Reports a configuration error located at this node ("file:line: key: message").
  // The factory then returns Status::invalid_argument.
  virtual void error(Str message) const noexcept = 0;

 protected:
  ~IConfigNode() = default;
};

}  // namespace nexus
