#include "core/jsonl_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/errors.hpp"

namespace tlsprobe::core {
namespace {

// Past this many buffered bytes the flusher is woken without waiting for its
// interval, so a burst neither grows the buffer without bound nor waits.
constexpr std::size_t flush_threshold_bytes = 64 * 1024;

}  // namespace

JsonlWriter::JsonlWriter(const std::filesystem::path& path, std::chrono::milliseconds max_delay)
    : path_(path), max_delay_(max_delay)
{
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) {
        throw EnvironmentError("cannot open " + path.string() + " for writing: " + std::strerror(errno));
    }
    if (max_delay_.count() > 0) {
        flusher_ = std::jthread([this](const std::stop_token& stop) { flush_periodically(stop); });
    }
}

JsonlWriter::~JsonlWriter()
{
    try {
        close();
    } catch (const EnvironmentError&) {
        // Nobody is left to tell; close() is how a caller hears of it.
    }
    ::close(fd_);
}

void JsonlWriter::append(std::string_view document)
{
    bool write_now = false;
    {
        const std::scoped_lock lock(pending_mutex_);
        if (!failure_.empty()) {
            throw EnvironmentError(failure_);
        }
        pending_.append(document).push_back('\n');
        write_now = !flusher_.joinable();
        if (!write_now && pending_.size() >= flush_threshold_bytes) {
            pending_grew_.notify_one();
        }
    }
    if (write_now) {
        flush();
    }
}

void JsonlWriter::flush()
{
    write_pending();
    const std::scoped_lock lock(pending_mutex_);
    if (!failure_.empty()) {
        throw EnvironmentError(failure_);
    }
}

void JsonlWriter::close()
{
    if (flusher_.joinable()) {
        flusher_.request_stop();
        flusher_.join();
    }
    flush();
}

void JsonlWriter::flush_periodically(const std::stop_token& stop)
{
    while (!stop.stop_requested()) {
        {
            std::unique_lock lock(pending_mutex_);
            pending_grew_.wait_for(lock, stop, max_delay_,
                                   [this] { return pending_.size() >= flush_threshold_bytes; });
        }
        write_pending();
    }
}

void JsonlWriter::write_pending()
{
    const std::scoped_lock writing(write_mutex_);
    {
        const std::scoped_lock lock(pending_mutex_);
        writing_.swap(pending_);
    }
    std::string_view rest = writing_;
    while (!rest.empty()) {
        const ssize_t n = ::write(fd_, rest.data(), rest.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            const std::scoped_lock lock(pending_mutex_);
            failure_ = "cannot write to " + path_.string() + ": " + std::strerror(errno);
            break;
        }
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
    writing_.clear();
}

}  // namespace tlsprobe::core
