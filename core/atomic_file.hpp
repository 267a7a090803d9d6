#pragma once
#include <chrono>
#include <cstddef>
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

// Removes the temporaries that writers of `path` killed before their rename
// left behind (".NAME.XXXXXX" beside it), once older than `age`: a writer
// that is alive renames or removes its own long before. For files rewritten
// forever (the canary's metrics file), so kills cannot fill the directory.
// Returns how many it removed; what it cannot remove it leaves.
std::size_t remove_stale_temporaries(const std::filesystem::path& path, std::chrono::seconds age);

}  // namespace tlsprobe::core
