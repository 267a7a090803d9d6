#pragma once
// Classic pcap files written by the tests through libpcap's own dumper, with
// nanosecond timestamps: what tcpdump -w leaves, for the offline readers.
#include <pcap/pcap.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "tests/unit/capture/wire_builder.hpp"

namespace tlsprobe::capture::test {

struct TimedFrame {
    std::int64_t t_ns = 0;
    Bytes bytes;
};

inline void write_pcap(const std::filesystem::path& path, const std::vector<TimedFrame>& frames, int dlt = DLT_EN10MB)
{
    pcap_t* dead = pcap_open_dead_with_tstamp_precision(dlt, 262144, PCAP_TSTAMP_PRECISION_NANO);
    pcap_dumper_t* dumper = pcap_dump_open(dead, path.c_str());
    if (dumper == nullptr) {
        pcap_close(dead);
        throw std::runtime_error("cannot write " + path.string());
    }
    for (const auto& [t, bytes] : frames) {
        pcap_pkthdr header{};
        header.ts.tv_sec = t / 1'000'000'000;
        header.ts.tv_usec = t % 1'000'000'000;
        header.caplen = static_cast<bpf_u_int32>(bytes.size());
        header.len = header.caplen;
        // libpcap takes the dumper as the callback's user pointer and bytes as u_char.
        pcap_dump(reinterpret_cast<u_char*>(dumper), &header, reinterpret_cast<const u_char*>(bytes.data()));
    }
    pcap_dump_close(dumper);
    pcap_close(dead);
}

}  // namespace tlsprobe::capture::test
