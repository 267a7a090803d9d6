#include "cli/probe_flags.hpp"

#include <algorithm>
#include <thread>

#include "cli/enum_option.hpp"
#include "cli/number_checks.hpp"
#include "core/durations.hpp"
#include "core/errors.hpp"

namespace tlsprobe::cli {
namespace {

std::vector<std::string> split(std::string_view text, char separator)
{
    std::vector<std::string> parts;
    while (!text.empty()) {
        const auto at = text.find(separator);
        parts.emplace_back(text.substr(0, at));
        text = at == std::string_view::npos ? std::string_view{} : text.substr(at + 1);
    }
    return parts;
}

}  // namespace

CLI::Option* add_probe_flags(CLI::App& app, ProbeFlags& flags)
{
    auto& plan = flags.plan;
    // Checked in fill_plan rather than with ->required(): CLI11 reports a
    // missing required option before an unknown one, which hides a typo.
    app.add_option("--target", flags.target, "HOST:PORT or [IPV6]:PORT to probe (required)");
    app.add_option("--sni", plan.tls.sni, "Server name to send and verify (default: the target host if a name)");
    app.add_option("--source-ip", plan.source_ip, "Local address to bind (default: the wildcard address)");
    auto* ports = app.add_option("--ports", flags.ports, "Source port range LO-HI to sweep")->capture_default_str();
    app.add_option("--concurrency", plan.concurrency, "Most probes in flight at once")
        ->capture_default_str()
        ->check(CLI::Range(1U, 1'000'000U));
    app.add_option("--rate", plan.rate, "New probes per second (0: as fast as the concurrency allows)")
        ->capture_default_str()
        ->check(at_least_zero);
    add_enum_option(app, "--arrival", plan.arrival, scenarios::arrival_names,
                    "Arrival process of the open-loop schedule");
    app.add_option("--seed", plan.seed, "Seed for Poisson arrivals and random port order")->capture_default_str();
    // Each worker is a thread with its own event loop: more than a few per core only costs memory.
    const long long cores = std::max(1U, std::thread::hardware_concurrency());
    app.add_option("--workers", plan.workers, "Worker threads (default: one per core; at most 4 per core)")
        ->check(whole_number_from_to(1, cores * 4, " (4 per core on this host)"));
    app.add_option("--connect-timeout", flags.connect_timeout_s, "Seconds for the TCP handshake")
        ->capture_default_str()
        ->check(greater_than_zero);
    app.add_option("--handshake-timeout", flags.handshake_timeout_s, "Seconds for the TLS handshake")
        ->capture_default_str()
        ->check(greater_than_zero);
    app.add_option("--data-timeout", flags.data_timeout_s, "Seconds for the request, response and close")
        ->capture_default_str()
        ->check(greater_than_zero);
    app.add_option("--hold", flags.hold_s, "Seconds to keep each connection open after the exchange")
        ->check(at_least_zero);
    add_enum_option(app, "--tls-version", plan.tls.version, scenarios::tls_version_names, "TLS version to offer");
    app.add_option("--groups", plan.tls.groups, "Key exchange groups, OpenSSL syntax (X25519:P-256)");
    app.add_option("--ciphers", plan.tls.ciphers, "TLS 1.2 ciphers and TLS 1.3 suites (TLS_*), colon separated; "
                   "suites of one version only offer only that version");
    app.add_option("--alpn", flags.alpn, "ALPN protocols to offer, comma separated (http/1.1,h2)");
    auto* ca_file = app.add_option("--ca-file", plan.tls.ca_file, "PEM file of CA certificates to verify against");
    app.add_flag("--insecure", flags.insecure, "Do not verify the server certificate")->excludes(ca_file);
    app.add_flag("--resume", plan.tls.resume, "Resume sessions after a first full handshake per worker");
    app.add_option("--pad-client-hello", plan.tls.pad_client_hello,
                   "Grow the ClientHello message to this many bytes (past one segment)");
    add_enum_option(app, "--request", plan.request, scenarios::request_names,
                    "What to send after the handshake: http (GET /) or none");
    app.add_flag("--allow-high-load", plan.allow_high_load,
                 "Lift the safety caps of 200 probes/s and 1000 concurrent probes");
    return ports;
}

void fill_plan(ProbeFlags& flags)
{
    auto& plan = flags.plan;
    if (flags.target.empty()) {
        throw core::UsageError("--target is required");
    }
    plan.target = scenarios::parse_endpoint(flags.target, "target");
    if (plan.ports.empty()) {
        plan.port_range = scenarios::parse_port_range(flags.ports, "ports");
    }
    plan.connect_timeout = core::seconds_flag(flags.connect_timeout_s);
    plan.handshake_timeout = core::seconds_flag(flags.handshake_timeout_s);
    plan.data_timeout = core::seconds_flag(flags.data_timeout_s);
    plan.hold = core::seconds_flag(flags.hold_s);
    plan.tls.alpn = split(flags.alpn, ',');
    plan.tls.verify = !flags.insecure;
}

}  // namespace tlsprobe::cli
