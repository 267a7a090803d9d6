#pragma once
// One job at a time: an exclusive flock(2) on a file, held for the life of
// the object and released by the kernel however the process ends.
#include <filesystem>

#include "core/file_descriptor.hpp"

namespace tlsprobe::runs {

class RunLock {
public:
    // Takes the lock on `file` (created with its directory) without waiting.
    // Throws core::LockedError when another process holds it, and
    // core::EnvironmentError when the file cannot be opened.
    explicit RunLock(const std::filesystem::path& file);

private:
    core::FileDescriptor fd_;
};

}  // namespace tlsprobe::runs
