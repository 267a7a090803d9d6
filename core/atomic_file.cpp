#include "core/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/errors.hpp"
#include "core/file_descriptor.hpp"

namespace tlsprobe::core {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, std::string_view what)
{
    throw EnvironmentError("cannot write " + path.string() + ": " + std::string(what) + ": " + std::strerror(errno));
}

void write_all(int fd, std::string_view text, const std::filesystem::path& path)
{
    while (!text.empty()) {
        const ssize_t n = ::write(fd, text.data(), text.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            fail(path, "write");
        }
        text.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view text)
{
    const auto directory = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    // mkstemp's name is unique, so two writers of one file never share a temporary.
    std::string temporary = (directory / ("." + path.filename().string() + ".XXXXXX")).string();
    FileDescriptor file(::mkostemp(temporary.data(), O_CLOEXEC));
    if (!file) {
        fail(path, "create a temporary file in " + directory.string());
    }
    try {
        write_all(file.get(), text, path);
        if (::fchmod(file.get(), 0644) != 0 || ::fsync(file.get()) != 0) {
            fail(path, "sync");
        }
        file.reset();
        if (::rename(temporary.c_str(), path.c_str()) != 0) {
            fail(path, "rename");
        }
    } catch (...) {
        ::unlink(temporary.c_str());
        throw;
    }
    if (const FileDescriptor dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)); dir) {
        ::fsync(dir.get());
    }
}

}  // namespace tlsprobe::core
