#include "capture/live_capture.hpp"

#include <fmt/format.h>

#include "core/errors.hpp"

namespace tlsprobe::capture {

namespace {

// Each pcap_set_* call fails only on an already activated handle.
void check(int rc, pcap_t* handle, std::string_view what, const std::string& interface)
{
    if (rc != 0) {
        throw core::EnvironmentError(
            fmt::format("cannot set {} on interface {}: {}", what, interface, pcap_geterr(handle)));
    }
}

PcapHandle activate(const LiveOptions& options)
{
    char error[PCAP_ERRBUF_SIZE] = {};
    PcapPtr handle(pcap_create(options.interface.c_str(), error));
    if (!handle) {
        throw core::InputError(fmt::format("interface {}: {}", options.interface, error));
    }
    pcap_t* h = handle.get();
    check(pcap_set_snaplen(h, options.snaplen), h, "snaplen", options.interface);
    check(pcap_set_promisc(h, options.promiscuous ? 1 : 0), h, "promiscuous mode", options.interface);
    check(pcap_set_timeout(h, static_cast<int>(LiveCapture::block_timeout.count())), h, "block timeout",
          options.interface);
    check(pcap_set_buffer_size(h, options.buffer_bytes), h, "buffer size", options.interface);
    const bool nanoseconds = pcap_set_tstamp_precision(h, PCAP_TSTAMP_PRECISION_NANO) == 0;
    const int rc = pcap_activate(h);
    if (rc < 0) {
        const std::string detail = pcap_geterr(h);
        switch (rc) {
        case PCAP_ERROR_NO_SUCH_DEVICE:
            throw core::InputError(fmt::format("interface {} does not exist", options.interface));
        case PCAP_ERROR_IFACE_NOT_UP:
            throw core::InputError(fmt::format("interface {} is down", options.interface));
        case PCAP_ERROR_PERM_DENIED:
            throw core::EnvironmentError(fmt::format(
                "no permission to capture on interface {} (needs root or CAP_NET_RAW): {}", options.interface, detail));
        default:
            throw core::EnvironmentError(
                fmt::format("cannot capture on interface {}: {}", options.interface, detail));
        }
    }
    return PcapHandle(std::move(handle), nanoseconds, options.interface);
}

}  // namespace

LiveCapture::LiveCapture(const LiveOptions& options)
    : handle_(activate(options))
{
    if (!options.filter.empty()) {
        handle_.set_filter(options.filter);
    }
    char error[PCAP_ERRBUF_SIZE] = {};
    if (pcap_setnonblock(handle_.get(), 1, error) != 0) {
        throw core::EnvironmentError(fmt::format("interface {}: cannot read without blocking: {}", options.interface, error));
    }
}

int LiveCapture::selectable_fd() const
{
    return pcap_get_selectable_fd(handle_.get());
}

KernelStats LiveCapture::stats() const
{
    pcap_stat s{};
    if (pcap_stats(handle_.get(), &s) != 0) {
        return {};
    }
    return {s.ps_recv, s.ps_drop, s.ps_ifdrop};
}

PcapWriter::PcapWriter(PcapHandle& source, const std::filesystem::path& path)
{
    nanoseconds_ = pcap_get_tstamp_precision(source.get()) == PCAP_TSTAMP_PRECISION_NANO;
    dumper_ = pcap_dump_open(source.get(), path.c_str());
    if (dumper_ == nullptr) {
        throw core::EnvironmentError(fmt::format("cannot write pcap {}: {}", path.string(), source.error()));
    }
}

PcapWriter::~PcapWriter()
{
    pcap_dump_close(dumper_);
}

void PcapWriter::write(const Frame& frame)
{
    pcap_pkthdr header{};
    header.ts.tv_sec = frame.t_ns / 1'000'000'000;
    // The dumper writes in the handle's precision.
    const std::int64_t fraction = frame.t_ns % 1'000'000'000;
    header.ts.tv_usec = nanoseconds_ ? fraction : fraction / 1000;
    header.caplen = static_cast<bpf_u_int32>(frame.bytes.size());
    header.len = frame.wire_length;
    // pcap_dump's first argument is the dumper passed as the callback's user pointer.
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &header, reinterpret_cast<const u_char*>(frame.bytes.data()));
}

void PcapWriter::flush()
{
    pcap_dump_flush(dumper_);
}

}  // namespace tlsprobe::capture
