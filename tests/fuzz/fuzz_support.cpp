#include "fuzz_support.hpp"

#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>

namespace tlsprobe::fuzz {
namespace {

// Before any input runs (a static library's object with a used function is
// linked whole, so this runs in every target).
[[maybe_unused]] const bool logs_off = [] {
    spdlog::set_level(spdlog::level::off);
    return true;
}();

}  // namespace

std::span<const std::byte> bytes_of(const std::uint8_t* data, std::size_t size)
{
    return {reinterpret_cast<const std::byte*>(data), size};
}

std::string_view text_of(const std::uint8_t* data, std::size_t size)
{
    return {reinterpret_cast<const char*>(data), size};
}

std::vector<std::string_view> split_parts(std::string_view input, char separator, std::size_t count)
{
    std::vector<std::string_view> parts;
    while (parts.size() + 1 < count) {
        const auto end = input.find(separator);
        if (end == std::string_view::npos) {
            break;
        }
        parts.push_back(input.substr(0, end));
        input.remove_prefix(end + 1);
    }
    parts.push_back(input);
    return parts;
}

MemoryFile::MemoryFile() : fd_(::memfd_create("tlsprobe-fuzz", MFD_CLOEXEC))
{
    if (!fd_) {
        throw std::system_error(errno, std::generic_category(), "memfd_create");
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_.get());
}

void MemoryFile::write(std::string_view bytes)
{
    if (::ftruncate(fd_.get(), 0) != 0) {
        throw std::system_error(errno, std::generic_category(), "ftruncate");
    }
    std::size_t done = 0;
    while (done < bytes.size()) {
        const auto n = ::pwrite(fd_.get(), bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
        if (n < 0) {
            throw std::system_error(errno, std::generic_category(), "pwrite");
        }
        done += static_cast<std::size_t>(n);
    }
}

void ScratchDirectory::clear()
{
    for (const auto& entry : std::filesystem::directory_iterator(path())) {
        std::filesystem::remove_all(entry.path());
    }
}

std::filesystem::path ScratchDirectory::write(const std::filesystem::path& name, std::string_view bytes)
{
    const auto file = path() / name;
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
        throw std::runtime_error("cannot write " + file.string());
    }
    return file;
}

}  // namespace tlsprobe::fuzz
