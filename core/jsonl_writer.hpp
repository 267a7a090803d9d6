#pragma once
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>

namespace tlsprobe::core {

// The longest a line waits in a JsonlWriter's buffer before it is written.
inline constexpr std::chrono::milliseconds jsonl_flush_interval{100};

// Appends one JSON document per line to a file, from any number of threads.
//
// Lines are buffered and written together: by a flusher thread at least
// every `max_delay`, as soon as a buffer's worth is waiting, and on flush(),
// close() and destruction. A process killed outright (SIGKILL) so loses at
// most the last `max_delay` of lines. Every write(2) carries whole lines on
// an O_APPEND descriptor and the writes are serialised, so the file never
// holds half a line followed by another record. A `max_delay` of zero writes
// each line as it comes (for logs read while the writer runs).
class JsonlWriter {
public:
    explicit JsonlWriter(const std::filesystem::path& path,
                         std::chrono::milliseconds max_delay = jsonl_flush_interval);
    JsonlWriter(const JsonlWriter&) = delete;
    JsonlWriter& operator=(const JsonlWriter&) = delete;
    // Writes what is buffered; a failure to do so is lost here (call close()
    // to hear of it).
    ~JsonlWriter();

    // `document` must not contain a newline; the writer adds it. Throws
    // EnvironmentError when an earlier write failed.
    void append(std::string_view document);
    // Writes every line appended so far before returning.
    void flush();
    // Flushes and stops the flusher; later appends are written at once.
    void close();

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    void flush_periodically(const std::stop_token& stop);
    void write_pending();

    std::filesystem::path path_;
    int fd_ = -1;
    std::chrono::milliseconds max_delay_;
    std::mutex pending_mutex_;   // guards pending_ and failure_; held only to copy
    std::condition_variable_any pending_grew_;
    std::string pending_;
    std::string failure_;        // why the last write failed, rethrown by the next call
    std::mutex write_mutex_;     // one write(2) sequence at a time, so lines never interleave
    std::string writing_;        // the lines being written; guarded by write_mutex_, keeps its capacity
    std::jthread flusher_;       // last: stopped and joined before the members above go
};

}  // namespace tlsprobe::core
