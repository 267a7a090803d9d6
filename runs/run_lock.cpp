#include "runs/run_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <cstring>

#include "core/errors.hpp"

namespace tlsprobe::runs {

RunLock::RunLock(const std::filesystem::path& file)
{
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    fd_ = core::FileDescriptor(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!fd_) {
        throw core::EnvironmentError("state_dir", ": cannot open the lock " + file.string() + ": " +
                                                      std::strerror(errno));
    }
    if (::flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) {
            throw core::LockedError("another run of this scenario holds " + file.string() +
                                    "; this one did not start");
        }
        throw core::EnvironmentError("state_dir", ": cannot lock " + file.string() + ": " + std::strerror(errno));
    }
}

}  // namespace tlsprobe::runs
