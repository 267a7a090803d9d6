#pragma once
// A running `tlsprobe serve` on a loopback port it picked, with the
// self-signed certificate it made, for integration tests.
#include <stdexcept>
#include <string>

#include "child_process.hpp"

namespace tlsprobe::testing {

class Server {
public:
    explicit Server(const std::string& behaviour, const std::string& handshake_timeout = "10")
        : process_({tlsprobe_binary(), "-q", "serve", "--listen", "127.0.0.1:0", "--behaviour", behaviour,
                    "--cert-out", (dir_.path() / "ca.pem").string(), "--handshake-timeout", handshake_timeout,
                    "--duration", "300"})
    {
        const auto line = process_.read_line(std::chrono::seconds(10));
        if (!line || !line->starts_with("listening 127.0.0.1:")) {
            throw std::runtime_error("serve did not report its port");
        }
        target_ = line->substr(std::string("listening ").size());
    }

    [[nodiscard]] const std::string& target() const { return target_; }
    [[nodiscard]] std::string ca_file() const { return (dir_.path() / "ca.pem").string(); }

private:
    TempDir dir_;
    ChildProcess process_;
    std::string target_;
};

}  // namespace tlsprobe::testing
