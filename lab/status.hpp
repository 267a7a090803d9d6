#pragma once
// `lab status`: the installed configuration, the nft counters of the switch
// and of every node, and (given tuples) the ground truth per tuple checked
// against the switch's own record of which bucket each flow's SYN fell in.
#include <boost/json/object.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace tlsprobe::lab {

struct LabStatus {
    boost::json::object document;
    // Tuples whose bucket by the hash model differs from the switch's record.
    std::size_t disagreements = 0;
};

// When the lab is down the document is {"up": false, "namespaces": [leftovers]}.
// Throws core::UsageError for tuples when the lab is not up, core::InputError for a bad
// tuples file.
[[nodiscard]] LabStatus lab_status(const std::optional<std::filesystem::path>& tuples);

// The document as `lab status` prints it for people: the switch's and the
// nodes' counters as tables, the configuration and ground truth as JSON.
[[nodiscard]] std::string status_text(const boost::json::object& document);

}  // namespace tlsprobe::lab
