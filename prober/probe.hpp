#pragma once
// One probe: one TCP connection from a chosen source port, a TLS handshake,
// an optional HTTP exchange, and the record of what the client saw.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <string>

#include "prober/client_tls.hpp"
#include "prober/deadline_sweeper.hpp"
#include "prober/phase_clock.hpp"
#include "prober/probe_record.hpp"
#include "scenarios/run_plan.hpp"

namespace tlsprobe::prober {

// What all probes of one worker share. Owned by the worker; read-only here
// except `resumable`, which only this worker's probes touch.
struct ProbeEnvironment {
    const ClientTls& tls;
    const PhaseClock& clock;
    boost::asio::ip::tcp::endpoint target;
    boost::asio::ip::address source;       // wildcard when the plan gave no source address
    std::chrono::milliseconds connect_timeout;
    std::chrono::milliseconds handshake_timeout;
    std::chrono::milliseconds data_timeout;
    std::chrono::milliseconds hold;
    scenarios::Request request;
    std::string http_request;               // the bytes of the GET, built once
    bool resume = false;
    SslSessionPtr resumable;                // the newest session this worker can resume
    std::string resumable_cert_sha256;      // the server certificate's hash in the handshake that made it
};

struct ProbeTicket {
    std::uint64_t probe_id = 0;
    std::uint32_t attempt = 1;
    std::uint16_t source_port = 0;
    std::int64_t due_ns = 0;
};

// The record of a probe that has not started yet: which tuple, which attempt,
// when it was due.
[[nodiscard]] ProbeRecord new_probe_record(const ProbeEnvironment& env, const ProbeTicket& ticket);

// Runs the probe that `record` (from new_probe_record) describes. Each phase
// is written into the record as it happens, so at any suspension the record
// holds everything seen so far: a run that stops the probe early writes it as
// it stands (Outcome::interrupted) instead of losing it. Its phase deadlines
// are kept by `deadlines`, the sweeper of the thread it runs on.
boost::asio::awaitable<void> run_probe(ProbeEnvironment& env, DeadlineSweeper& deadlines, ProbeRecord& record);

}  // namespace tlsprobe::prober
