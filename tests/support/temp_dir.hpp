#pragma once
// Files in tests: a scratch directory removed with everything in it at
// scope exit, and a file's whole text. Apart from the process helpers, so
// unit tests can use them too.
#include <filesystem>
#include <string>

namespace tlsprobe::testing {

class TempDir {
public:
    TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir();
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// The file's whole text; "" when it cannot be read.
[[nodiscard]] std::string read_text(const std::filesystem::path& path);

}  // namespace tlsprobe::testing
