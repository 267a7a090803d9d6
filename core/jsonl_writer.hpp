#pragma once
#include <filesystem>
#include <string_view>

namespace tlsprobe::core {

// Appends one JSON document per line to a file. Each line goes out in a single
// write(2) on an O_APPEND descriptor: Linux serialises writes to a regular
// file, so threads can share one writer without a lock and a crash never
// leaves half a line followed by another record.
class JsonlWriter {
public:
    explicit JsonlWriter(const std::filesystem::path& path);
    JsonlWriter(const JsonlWriter&) = delete;
    JsonlWriter& operator=(const JsonlWriter&) = delete;
    ~JsonlWriter();

    // `document` must not contain a newline; the writer adds it.
    void append(std::string_view document) const;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
    int fd_ = -1;
};

}  // namespace tlsprobe::core
