#pragma once
// Bringing the lab up and down. The lab is a machine-wide singleton: its
// namespaces carry namespace_prefix, its state (configuration, pid files,
// logs, the relay's connection log) lives in state_dir.
#include <filesystem>
#include <string>
#include <vector>

#include "lab/config.hpp"

namespace tlsprobe::lab {

inline const std::filesystem::path state_dir{"/run/tlsprobe-lab"};

struct StateFiles {
    [[nodiscard]] static std::filesystem::path config() { return state_dir / "lab.json"; }
    [[nodiscard]] static std::filesystem::path pid(std::string_view process) { return state_dir / (std::string(process) + ".pid"); }
    [[nodiscard]] static std::filesystem::path log(std::string_view process) { return state_dir / (std::string(process) + ".log"); }
    // One JSON line per relayed connection: client tuple -> upstream tuple.
    [[nodiscard]] static std::filesystem::path relay_connections() { return state_dir / "relay.jsonl"; }
};

// The lab's namespaces that exist now, whoever created them.
[[nodiscard]] std::vector<std::string> lab_namespaces();

// Builds the whole lab and starts the server (and relay). Throws core::UsageError
// when the lab is already up (and leaves it alone), core::EnvironmentError when a
// step fails, after removing everything this call built.
void lab_up(const LabConfig& config, const std::filesystem::path& tlsprobe_exe);

// Stops the lab's processes and deletes its namespaces (with them every
// veth, route and nft table of the lab) and its state. Safe to call when
// the lab is down or half built. Returns the namespaces it deleted.
std::vector<std::string> lab_down();

// The configuration `lab up` installed. Throws core::UsageError when the lab is not up.
[[nodiscard]] LabConfig installed_config();

}  // namespace tlsprobe::lab
