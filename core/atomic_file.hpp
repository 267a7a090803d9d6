#pragma once
#include <filesystem>
#include <string_view>

namespace tlsprobe::core {

// Replaces `path` with `text` so that a reader, or a crash at any point, sees
// either the old file whole or the new one whole: the text goes to a
// temporary file in the same directory (rename is only atomic within one
// file system), is fsynced, then renamed over `path`, and the directory is
// fsynced so the rename itself survives a power cut. Throws EnvironmentError
// naming the file.
void write_file_atomically(const std::filesystem::path& path, std::string_view text);

}  // namespace tlsprobe::core
