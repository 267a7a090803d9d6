#pragma once
// A live libpcap capture on one interface: non-promiscuous unless asked,
// immediate delivery (each packet is handed over as it arrives, so
// timestamps are not batched), a kernel buffer of the requested size.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "capture/flow_json.hpp"
#include "capture/pcap_handle.hpp"

namespace tlsprobe::capture {

struct LiveOptions {
    std::string interface;
    std::string filter;
    int snaplen = 262144;
    int buffer_bytes = 64 * 1024 * 1024;
    bool promiscuous = false;
};

class LiveCapture {
public:
    // Throws core::InputError for an unknown interface or a bad filter,
    // core::EnvironmentError when capturing is not permitted.
    explicit LiveCapture(const LiveOptions& options);

    [[nodiscard]] PcapHandle& handle() { return handle_; }
    [[nodiscard]] int selectable_fd() const;
    [[nodiscard]] KernelStats stats() const;

private:
    PcapHandle handle_;
};

// Writes the captured frames to a pcap file (nanosecond timestamps) as they
// are read; for Wireshark next to the timelines.
class PcapWriter {
public:
    PcapWriter(PcapHandle& source, const std::filesystem::path& path);
    PcapWriter(const PcapWriter&) = delete;
    PcapWriter& operator=(const PcapWriter&) = delete;
    ~PcapWriter();

    void write(const Frame& frame);
    void flush();

private:
    pcap_dumper_t* dumper_ = nullptr;
    bool nanoseconds_ = false;
};

}  // namespace tlsprobe::capture
