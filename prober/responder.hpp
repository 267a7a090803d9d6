#pragma once
// `tlsprobe serve`: the synthetic TLS target, on the same Asio + OpenSSL
// stack as the prober.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/enum_names.hpp"
#include "scenarios/run_plan.hpp"

namespace tlsprobe::prober {

enum class ServerBehaviour {
    normal,                 // handshake, answer one HTTP request (or close_notify), close first
    silent,                 // accept TCP, never read the ClientHello, FIN after the handshake timeout
    reset_after_handshake,  // complete the handshake, then reset the connection
    close_after_handshake,  // complete the handshake, then close_notify and FIN
};
inline constexpr scenarios::EnumNames<ServerBehaviour, 4> server_behaviour_names{{
    {"normal", ServerBehaviour::normal},
    {"silent", ServerBehaviour::silent},
    {"reset-after-handshake", ServerBehaviour::reset_after_handshake},
    {"close-after-handshake", ServerBehaviour::close_after_handshake},
}};
[[nodiscard]] std::string_view to_string(ServerBehaviour behaviour);

struct ResponderConfig {
    std::vector<scenarios::Endpoint> listen;      // address literals
    std::optional<std::filesystem::path> cert_file;
    std::optional<std::filesystem::path> key_file;
    std::optional<std::filesystem::path> cert_out;  // where to write the self-signed certificate
    ServerBehaviour behaviour = ServerBehaviour::normal;
    std::chrono::milliseconds handshake_timeout{10000};
    std::chrono::milliseconds data_timeout{10000};
    std::optional<std::chrono::milliseconds> duration;   // stop after this long; empty: until SIGINT/SIGTERM
    unsigned threads = 0;                                // 0: one per core
};

// Writes the self-signed certificate to cert_out first (core::UsageError when
// it cannot). Listens on every address (one socket each, without SO_REUSEPORT, so an
// address another server holds fails to bind; accepted connections are
// spread over the threads in turn) and serves
// until the duration ends or SIGINT/SIGTERM. Throws core::EnvironmentError when an
// address cannot be bound, core::UsageError for unusable certificate files.
void serve(const ResponderConfig& config);

}  // namespace tlsprobe::prober
