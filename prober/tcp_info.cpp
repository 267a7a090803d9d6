// Kept apart from the Asio code: <linux/tcp.h> has the full struct tcp_info
// (bytes_acked, total_retrans) but clashes with glibc's <netinet/tcp.h>.
#include "prober/tcp_info.hpp"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace tlsprobe::prober {

std::optional<TcpInfoSnapshot> read_tcp_info(int fd)
{
    tcp_info info{};
    socklen_t size = sizeof info;
    if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &size) != 0) {
        return std::nullopt;
    }
    return TcpInfoSnapshot{
        .retransmits = info.tcpi_total_retrans,
        .unacked = info.tcpi_unacked,
        .bytes_acked = info.tcpi_bytes_acked,
        .rtt_us = info.tcpi_rtt,
        .rtt_var_us = info.tcpi_rttvar,
    };
}

}  // namespace tlsprobe::prober
