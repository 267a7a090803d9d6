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

std::filesystem::path directory_of(const std::filesystem::path& path)
{
    return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

// The temporary's name without mkstemp's six characters.
std::string temporary_prefix(const std::filesystem::path& path)
{
    return "." + path.filename().string() + ".";
}

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
    const auto directory = directory_of(path);
    // mkstemp's name is unique, so two writers of one file never share a temporary.
    std::string temporary = (directory / (temporary_prefix(path) + "XXXXXX")).string();
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

std::size_t remove_stale_temporaries(const std::filesystem::path& path, std::chrono::seconds age)
{
    const auto prefix = temporary_prefix(path);
    const auto cutoff = std::filesystem::file_time_type::clock::now() - age;
    std::size_t removed = 0;
    std::error_code error;
    for (std::filesystem::directory_iterator it(directory_of(path), error), end; !error && it != end;
         it.increment(error)) {
        const auto name = it->path().filename().string();
        if (name.size() != prefix.size() + 6 || !name.starts_with(prefix) || !it->is_regular_file(error)) {
            continue;
        }
        if (const auto written = it->last_write_time(error); !error && written < cutoff &&
                                                             std::filesystem::remove(it->path(), error)) {
            ++removed;
        }
        error.clear();
    }
    return removed;
}

}  // namespace tlsprobe::core
