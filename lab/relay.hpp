#pragma once
// The lab's client-side TCP-terminating proxy: accepts the client's
// connection (so the client's TCP ends here and ACKs come from here), opens
// its own connection to the server from its own source port, and copies
// bytes both ways. Both sockets send with the configured TTL.
#include <boost/asio/ip/tcp.hpp>

#include <filesystem>

namespace tlsprobe::lab {

struct RelayConfig {
    boost::asio::ip::tcp::endpoint listen;
    boost::asio::ip::tcp::endpoint connect;
    // Source address of upstream connections (the port is ephemeral).
    boost::asio::ip::address source;
    // IP_TTL of the listening, accepted and upstream sockets.
    int ttl = 255;
    // JSON Lines, one per connection: client tuple and upstream tuple.
    std::filesystem::path log;
};

// Runs until SIGTERM or SIGINT. Throws core::EnvironmentError when it cannot listen.
void run_relay(const RelayConfig& config);

}  // namespace tlsprobe::lab
