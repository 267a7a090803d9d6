#include "capture/pcap_handle.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <system_error>

#include "core/errors.hpp"

namespace tlsprobe::capture {

namespace {

constexpr std::size_t file_read_buffer_bytes = 256 * 1024;

}  // namespace

void PcapHandle::set_filter(std::string_view filter)
{
    bpf_program program{};
    const std::string text(filter);
    if (pcap_compile(handle_.get(), &program, text.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
        throw core::InputError(fmt::format("invalid BPF filter '{}': {}", text, error()));
    }
    const int rc = pcap_setfilter(handle_.get(), &program);
    pcap_freecode(&program);
    if (rc != 0) {
        throw core::InputError(fmt::format("cannot apply BPF filter '{}' on {}: {}", text, name_, error()));
    }
}

LinkType PcapHandle::link_type() const
{
    const int dlt = pcap_datalink(handle_.get());
    const auto link = link_type_from_dlt(dlt);
    if (!link) {
        const char* dlt_name = pcap_datalink_val_to_name(dlt);
        throw core::InputError(fmt::format("{}: link type {} ({}) is not supported", name_, dlt,
                                              dlt_name != nullptr ? dlt_name : "unknown"));
    }
    return *link;
}

NextFrame PcapHandle::next(Frame& frame)
{
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    const int rc = pcap_next_ex(handle_.get(), &header, &data);
    if (rc == 1) {
        // Nanoseconds since the epoch fit an int64 up to the year 2262; a
        // seconds field past that (or before 1970) is a damaged record.
        constexpr std::int64_t last_second = std::numeric_limits<std::int64_t>::max() / 1'000'000'000 - 1;
        if (header->ts.tv_sec < 0 || header->ts.tv_sec > last_second) {
            timestamp_error_ = fmt::format("a record's timestamp ({} s since 1970) is out of range", header->ts.tv_sec);
            return NextFrame::error;
        }
        const std::int64_t fraction = nanoseconds_ ? header->ts.tv_usec : std::int64_t{header->ts.tv_usec} * 1000;
        frame.t_ns = std::int64_t{header->ts.tv_sec} * 1'000'000'000 + fraction;
        // libpcap hands out bytes as u_char; std::byte may alias them.
        frame.bytes = std::span<const std::byte>(reinterpret_cast<const std::byte*>(data), header->caplen);
        frame.wire_length = header->len;
        return NextFrame::frame;
    }
    if (rc == 0) {
        return NextFrame::none_yet;
    }
    if (rc == PCAP_ERROR_BREAK) {
        return NextFrame::end;
    }
    return NextFrame::error;
}

PcapHandle open_capture_file(const std::filesystem::path& path)
{
    // libpcap reads "-" as standard input (tcpdump -w - | tlsprobe flows -).
    const bool standard_input = path == "-";
    std::error_code ec;
    if (!standard_input && !std::filesystem::exists(path, ec)) {
        throw core::InputError(fmt::format("{}: no such file", path.string()));
    }
    if (std::filesystem::is_directory(path, ec)) {
        throw core::InputError(fmt::format("{}: is a directory, not a capture file", path.string()));
    }
    const std::string name = standard_input ? "standard input" : path.string();
    char error[PCAP_ERRBUF_SIZE] = {};
    const auto not_a_capture = [&] {
        return core::InputError(fmt::format("{}: not a pcap or pcapng capture ({})", name, error));
    };
    if (standard_input) {
        pcap_t* handle = pcap_open_offline_with_tstamp_precision("-", PCAP_TSTAMP_PRECISION_NANO, error);
        if (handle == nullptr) {
            throw not_a_capture();
        }
        return PcapHandle(PcapPtr(handle), true, name);
    }
    // libpcap reads each record with two freads; through stdio's default
    // 4 KiB buffer that is a read(2) per 4 KiB of the file.
    FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) {
        throw core::InputError(fmt::format("{}: cannot open: {}", name, std::strerror(errno)));
    }
    auto buffer = std::make_unique_for_overwrite<char[]>(file_read_buffer_bytes);
    std::setvbuf(file, buffer.get(), _IOFBF, file_read_buffer_bytes);
    pcap_t* handle = pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, error);
    if (handle == nullptr) {
        std::fclose(file);
        throw not_a_capture();
    }
    return PcapHandle(std::move(buffer), PcapPtr(handle), name);
}

}  // namespace tlsprobe::capture
