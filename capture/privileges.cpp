#include "capture/privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "core/errors.hpp"

namespace tlsprobe::capture {

void require_user(std::string_view user)
{
    const std::string name(user);
    if (::getpwnam(name.c_str()) == nullptr) {
        throw core::UsageError(fmt::format("no user {} on this host to drop root to", name));
    }
}

std::string drop_privileges(std::string_view user)
{
    if (::geteuid() != 0) {
        return "unchanged (not root)";
    }
    const std::string name(user);
    const passwd* pw = ::getpwnam(name.c_str());
    if (pw == nullptr) {
        throw core::EnvironmentError(fmt::format("cannot drop root: no user {}", name));
    }
    const uid_t uid = pw->pw_uid;
    const gid_t gid = pw->pw_gid;
    // Groups and gid first: after setuid there is no permission left to change them.
    if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) {
        throw core::EnvironmentError(fmt::format("cannot drop root to user {}: {}", name, std::strerror(errno)));
    }
    if (::setuid(0) == 0) {
        throw core::EnvironmentError(fmt::format("dropping root to user {} did not stick", name));
    }
    // Nothing exec'd from here on may regain privileges through setuid bits.
    ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    return fmt::format("dropped to {} (uid {})", name, uid);
}

}  // namespace tlsprobe::capture
