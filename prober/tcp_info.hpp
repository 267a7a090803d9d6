#pragma once
#include <optional>

#include "prober/probe_record.hpp"

namespace tlsprobe::prober {

// TCP_INFO of a connected socket; empty when the kernel refuses (socket closed).
[[nodiscard]] std::optional<TcpInfoSnapshot> read_tcp_info(int fd);

}  // namespace tlsprobe::prober
