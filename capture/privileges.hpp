#pragma once
#include <string>
#include <string_view>

namespace tlsprobe::capture {

// Run by the capture agent once the capture handle and its output files are
// open: a root process switches to `user` (supplementary groups cleared, then
// gid, then uid; every capability goes with root). The open capture socket
// keeps working. Returns a description for the summary ("dropped to nobody
// (uid 65534)", or "unchanged (not root)"). Throws core::EnvironmentError when a
// step fails, so a capture never runs as root by accident.
[[nodiscard]] std::string drop_privileges(std::string_view user);

// Throws core::UsageError when `user` does not exist here. Called before the
// agent opens anything or says it is ready, root or not, so a typo fails the
// same way in a test as in production.
void require_user(std::string_view user);

}  // namespace tlsprobe::capture
