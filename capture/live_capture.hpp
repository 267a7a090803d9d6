#pragma once
// A live libpcap capture on one interface: non-promiscuous unless asked, a
// kernel buffer of the requested size, packets handed over in batches.
#include <chrono>
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
    // The kernel hands packets over in blocks of its TPACKET_V3 ring: a block
    // goes to the reader when it is full or this long after it was opened, so
    // at high rates one wakeup reads hundreds of packets (immediate mode woke
    // the reader for each). Every packet still carries its own kernel
    // timestamp, taken as it was queued.
    static constexpr std::chrono::milliseconds block_timeout{10};
    // A packet the kernel queued is readable at most this long after: the
    // kernel's retire timer closes a block that was open at its previous
    // tick, so two timeouts, plus a tick of slack for the timer's rounding.
    static constexpr std::chrono::milliseconds handover_limit = 3 * block_timeout;

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
