#include "core/jsonl_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/errors.hpp"

namespace tlsprobe::core {

JsonlWriter::JsonlWriter(const std::filesystem::path& path) : path_(path)
{
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) {
        throw EnvironmentError("cannot open " + path.string() + " for writing: " + std::strerror(errno));
    }
}

JsonlWriter::~JsonlWriter()
{
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

void JsonlWriter::append(std::string_view document) const
{
    std::string line;
    line.reserve(document.size() + 1);
    line.append(document);
    line.push_back('\n');
    std::string_view rest = line;
    while (!rest.empty()) {
        const ssize_t n = ::write(fd_, rest.data(), rest.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw EnvironmentError("cannot write to " + path_.string() + ": " + std::strerror(errno));
        }
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace tlsprobe::core
