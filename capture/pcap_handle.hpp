#pragma once
// Ownership of a libpcap handle and what the live and offline sources share:
// the BPF filter, the link type, and frames with nanosecond timestamps.
#include <pcap/pcap.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "capture/decoder.hpp"

namespace tlsprobe::capture {

struct PcapClose {
    void operator()(pcap_t* handle) const { pcap_close(handle); }
};
using PcapPtr = std::unique_ptr<pcap_t, PcapClose>;

struct Frame {
    std::int64_t t_ns = 0;
    std::span<const std::byte> bytes;
    std::uint32_t wire_length = 0;
};

enum class NextFrame : std::uint8_t { frame, none_yet, end, error };

class PcapHandle {
public:
    // `nanoseconds`: the handle was opened with nanosecond timestamp precision.
    PcapHandle(PcapPtr handle, bool nanoseconds, std::string name)
        : handle_(std::move(handle)), nanoseconds_(nanoseconds), name_(std::move(name))
    {
    }
    // A file handle reading through `read_buffer`, the stdio buffer of its FILE.
    PcapHandle(std::unique_ptr<char[]> read_buffer, PcapPtr handle, std::string name)
        : read_buffer_(std::move(read_buffer)), handle_(std::move(handle)), nanoseconds_(true), name_(std::move(name))
    {
    }

    // Throws core::InputError naming the filter when it does not compile.
    void set_filter(std::string_view filter);
    // Throws core::InputError when the link type is not one the decoder reads.
    [[nodiscard]] LinkType link_type() const;

    [[nodiscard]] NextFrame next(Frame& frame);
    // Why next() returned NextFrame::error.
    [[nodiscard]] std::string error() const
    {
        return timestamp_error_.empty() ? std::string(pcap_geterr(handle_.get())) : timestamp_error_;
    }
    [[nodiscard]] pcap_t* get() const { return handle_.get(); }
    [[nodiscard]] const std::string& name() const { return name_; }

private:
    // Declared first so that it outlives the FILE that pcap_close closes.
    std::unique_ptr<char[]> read_buffer_;
    PcapPtr handle_;
    bool nanoseconds_;
    std::string name_;
    std::string timestamp_error_;
};

// A pcap or pcapng file opened for reading with nanosecond timestamps; "-"
// is standard input. Throws core::InputError naming the file when it is
// missing, a directory, or not a capture.
[[nodiscard]] PcapHandle open_capture_file(const std::filesystem::path& path);

}  // namespace tlsprobe::capture
