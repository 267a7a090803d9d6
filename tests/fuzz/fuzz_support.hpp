#pragma once
// What the fuzz targets share: the input as bytes or text, split into the
// parts of a multi-file input, and the files that readers taking a path are
// given: an in-memory file (memfd) or a scratch directory, rewritten for
// every input. Linking this also turns spdlog off: the readers' warnings
// (a cut last line, say) would otherwise drown libFuzzer's output.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "core/file_descriptor.hpp"
#include "temp_dir.hpp"

namespace tlsprobe::fuzz {

// libFuzzer hands out bytes as uint8_t; std::byte and char may alias them.
[[nodiscard]] std::span<const std::byte> bytes_of(const std::uint8_t* data, std::size_t size);
[[nodiscard]] std::string_view text_of(const std::uint8_t* data, std::size_t size);

// Separates the files of a multi-file input (ASCII "record separator"; no
// JSON or TOML text holds it raw).
inline constexpr char part_separator = '\x1e';

// `input` cut at `separator` into at most `count` parts; the last part keeps
// the rest, separators included. Fewer parts when there are fewer separators.
[[nodiscard]] std::vector<std::string_view> split_parts(std::string_view input, char separator, std::size_t count);

// A file that lives in memory, for readers that only open a path
// (/proc/self/fd/N): nothing reaches the disk, however many inputs run.
class MemoryFile {
public:
    MemoryFile();
    // Replaces the whole content.
    void write(std::string_view bytes);
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    core::FileDescriptor fd_;
    std::filesystem::path path_;
};

// A directory under the temp directory (removed at exit) for readers that
// take a directory or resolve names beside a file: emptied, then filled, per
// input.
class ScratchDirectory {
public:
    // Removes everything in the directory.
    void clear();
    // DIR/name with `bytes` as its content.
    std::filesystem::path write(const std::filesystem::path& name, std::string_view bytes);
    [[nodiscard]] const std::filesystem::path& path() const { return dir_.path(); }

private:
    testing::TempDir dir_;
};

}  // namespace tlsprobe::fuzz
