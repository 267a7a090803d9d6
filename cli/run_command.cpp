#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <fstream>
#include <memory>
#include <set>
#include <thread>

#include "cli/command.hpp"
#include "cli/seconds.hpp"
#include "capture/agent_process.hpp"
#include "prober/client_tls.hpp"
#include "prober/fleet.hpp"
#include "prober/port_plan.hpp"
#include "results/analysis.hpp"
#include "results/errors.hpp"
#include "results/jsonl_writer.hpp"
#include "results/run_directory.hpp"
#include "results/run_stats.hpp"
#include "scenarios/run_plan.hpp"

namespace tlsprobe::cli {
namespace {

namespace asio = boost::asio;
using results::ExitCode;

struct RunOptions {
    scenarios::RunPlan plan;
    std::string target;
    std::string ports = "20000-29999";
    std::string ports_file;
    std::string tls_version = "any";
    std::string port_order = "sweep";
    std::string arrival = "constant";
    std::string request = "http";
    std::string alpn;
    std::string out_dir;
    std::optional<double> duration_s;
    double connect_timeout_s = 3;
    double handshake_timeout_s = 5;
    double data_timeout_s = 5;
    double hold_s = 0;
    bool insecure = false;
    std::vector<std::string> captures;
    double capture_linger_s = 3;
};

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

asio::ip::tcp::endpoint resolve_target(const scenarios::Endpoint& target, const std::string& source_ip)
{
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    boost::system::error_code ec;
    const auto results = resolver.resolve(target.host, std::to_string(target.port),
                                          asio::ip::tcp::resolver::numeric_service, ec);
    if (ec || results.empty()) {
        throw results::UsageError("--target: cannot resolve \"" + target.host + "\": " + ec.message());
    }
    if (source_ip.empty()) {
        return results.begin()->endpoint();
    }
    const bool want_v6 = asio::ip::make_address(source_ip).is_v6();
    for (const auto& entry : results) {
        if (entry.endpoint().address().is_v6() == want_v6) {
            return entry.endpoint();
        }
    }
    throw results::UsageError("--source-ip: " + source_ip + " is not of the same address family as --target " +
                              target.host);
}

asio::ip::address source_address(const std::string& source_ip, const asio::ip::tcp::endpoint& target)
{
    if (source_ip.empty()) {
        return target.address().is_v6() ? asio::ip::address(asio::ip::address_v6::any())
                                         : asio::ip::address(asio::ip::address_v4::any());
    }
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(source_ip, ec);
    if (ec) {
        throw results::UsageError("--source-ip: \"" + source_ip + "\" is not an IP address");
    }
    return address;
}

// Every probe holds one socket; the workers, the output files and the
// resolver need a few more.
void raise_open_files_limit(std::uint32_t concurrency)
{
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    const rlim_t needed = concurrency + 64;
    if (limit.rlim_max < needed) {
        throw results::EnvironmentError(fmt::format(
            "--concurrency {} needs {} open files but the hard limit is {}; lower --concurrency or raise the limit",
            concurrency, needed, limit.rlim_max));
    }
}

std::filesystem::path prepare_out_dir(const std::string& requested)
{
    if (!requested.empty() && std::filesystem::exists(std::filesystem::path(requested) / "probes.jsonl")) {
        throw results::UsageError("--out: " + requested + " already holds a run (probes.jsonl); choose another");
    }
    return results::make_run_directory(requested, "");
}

// Starts one capture agent per `--capture NAME=SPEC` and waits until each
// reports ready, so the first probe is on the wire of every vantage.
std::vector<std::unique_ptr<capture::AgentProcess>> start_capture_agents(const std::vector<std::string>& specs,
                                                                        std::uint16_t port,
                                                                        const std::filesystem::path& dir)
{
    std::vector<std::unique_ptr<capture::AgentProcess>> agents;
    std::set<std::string> names;
    for (const auto& spec : specs) {
        const auto equals = spec.find('=');
        const auto name = spec.substr(0, equals);
        if (equals == std::string::npos || name.empty() ||
            name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos) {
            throw results::UsageError("--capture: \"" + spec + "\" is not NAME=INTERFACE or NAME=COMMAND (NAME in a-z0-9_-)");
        }
        if (!names.insert(name).second) {
            throw results::UsageError("--capture: vantage \"" + name + "\" is given twice");
        }
        const auto argv = capture::agent_command(std::string_view(spec).substr(equals + 1), name, port,
                                                 dir / (name + ".pcap"));
        agents.push_back(std::make_unique<capture::AgentProcess>(name, argv, dir / (name + ".flows.jsonl")));
    }
    for (const auto& agent : agents) {
        agent->wait_ready(std::chrono::seconds(15));
        spdlog::info("capture agent {} is ready", agent->vantage());
    }
    return agents;
}

// After the last probe, lets late FINs and resets reach the captures, then
// stops the agents (each flushes its open timelines and its drop counts).
void stop_capture_agents(std::vector<std::unique_ptr<capture::AgentProcess>>& agents, std::chrono::milliseconds linger)
{
    if (agents.empty()) {
        return;
    }
    std::this_thread::sleep_for(linger);
    for (auto& agent : agents) {
        if (const int status = agent->stop(std::chrono::seconds(15)); status != 0) {
            spdlog::warn("capture agent {} exited with status {}; its timelines may be incomplete", agent->vantage(),
                         status);
        }
    }
}

// With a client capture, the run ends with the verdicts, as `tlsprobe analyze DIR` would give them.
void analyze_run(const std::filesystem::path& dir)
{
    results::AnalysisInputs inputs;
    inputs.probes = results::read_probes_file(dir / "probes.jsonl");
    inputs.client = results::read_flows_file(dir / "client.flows.jsonl", "client");
    if (std::filesystem::exists(dir / "server.flows.jsonl")) {
        inputs.server = results::read_flows_file(dir / "server.flows.jsonl", "server");
    }
    const auto analysis = results::analyze(inputs);
    std::string lines;
    for (const auto& record : analysis.verdicts) {
        lines += boost::json::serialize(results::to_json(record)) + "\n";
    }
    results::write_file_atomically(dir / "verdicts.jsonl", lines);
    results::write_file_atomically(dir / "analysis.json",
                                   boost::json::serialize(results::analysis_json(analysis, inputs)) + "\n");
    fmt::print("\n{}", results::analysis_report(analysis, inputs));
}

scenarios::RunPlan build_plan(RunOptions& options)
{
    auto& plan = options.plan;
    plan.target = scenarios::parse_endpoint(options.target, "--target");
    if (!options.ports_file.empty()) {
        plan.ports = scenarios::read_ports_file(options.ports_file);
    } else {
        plan.port_range = scenarios::parse_port_range(options.ports, "--ports");
    }
    if (options.duration_s) {
        plan.duration = seconds_flag(*options.duration_s);
    }
    plan.connect_timeout = seconds_flag(options.connect_timeout_s);
    plan.handshake_timeout = seconds_flag(options.handshake_timeout_s);
    plan.data_timeout = seconds_flag(options.data_timeout_s);
    plan.hold = seconds_flag(options.hold_s);
    plan.tls.version = options.tls_version == "1.2"   ? scenarios::TlsVersion::tls12
                       : options.tls_version == "1.3" ? scenarios::TlsVersion::tls13
                                                      : scenarios::TlsVersion::any;
    plan.tls.alpn = split(options.alpn, ',');
    plan.port_order = options.port_order == "random" ? scenarios::PortOrder::random : scenarios::PortOrder::sweep;
    plan.arrival = options.arrival == "poisson" ? scenarios::Arrival::poisson : scenarios::Arrival::constant;
    plan.request = options.request == "none" ? scenarios::Request::none : scenarios::Request::http;
    plan.tls.verify = !options.insecure;
    for (const auto& note : scenarios::validate(plan)) {
        spdlog::warn("{}", note);
    }
    return plan;
}

int run(RunOptions& options)
{
    const auto plan = build_plan(options);
    const auto target = resolve_target(plan.target, plan.source_ip);
    const auto source = source_address(plan.source_ip, target);
    raise_open_files_limit(plan.concurrency);
    const prober::ClientTls tls(plan.tls, plan.target.host);
    const auto dir = prepare_out_dir(options.out_dir);
    const results::JsonlWriter probes(dir / "probes.jsonl");

    spdlog::info("probing {}:{} ({}) from {} ports, {} probes at {}/s, concurrency {}, records in {}",
                 plan.target.host, plan.target.port, target.address().to_string(),
                 prober::PortPlan(plan).size(),
                 scenarios::planned_probes(plan), plan.rate, plan.concurrency, dir.string());
    auto agents = start_capture_agents(options.captures, plan.target.port, dir);
    prober::Fleet fleet(plan, target, source, tls, probes);
    const auto report = fleet.run();
    stop_capture_agents(agents, seconds_flag(options.capture_linger_s));

    const results::RunFacts facts{
        .target = fmt::format("{}:{}", plan.target.host, plan.target.port),
        .planned = scenarios::planned_probes(plan),
        .wall_seconds = report.wall_seconds,
        .interrupted = report.interrupted,
        .late_starts = report.late_starts,
    };
    auto summary = results::summary_json(report.stats, facts);
    summary["plan"] = scenarios::plan_json(plan);
    summary["abandoned"] = report.abandoned;
    results::write_file_atomically(dir / "summary.json", boost::json::serialize(summary) + "\n");
    fmt::print("{}", results::summary_table(report.stats, facts));
    if (report.abandoned != 0) {
        spdlog::warn("{} probes were still in flight after the {} s grace and have no record", report.abandoned,
                     prober::interrupt_grace.count());
    }
    if (std::filesystem::exists(dir / "client.flows.jsonl")) {
        analyze_run(dir);
    }
    if (report.interrupted) {
        return static_cast<int>(ExitCode::interrupted);
    }
    const auto failures = report.stats.probes() - report.stats.count(results::Outcome::ok) -
                          report.stats.count(results::Outcome::local_error);
    return static_cast<int>(failures == 0 ? ExitCode::healthy : ExitCode::unhealthy);
}

}  // namespace

Command add_run_command(CLI::App& parent)
{
    auto options = std::make_shared<RunOptions>();
    auto& plan = options->plan;
    auto* app = parent.add_subcommand("run", "Probe a TLS target from many source ports and record every attempt");
    app->add_option("--target", options->target, "HOST:PORT or [IPV6]:PORT to probe")->required();
    app->add_option("--sni", plan.tls.sni, "Server name to send and verify (default: the target host if a name)");
    app->add_option("--source-ip", plan.source_ip, "Local address to bind (default: the wildcard address)");
    auto* ports = app->add_option("--ports", options->ports, "Source port range LO-HI to sweep")
                      ->capture_default_str();
    app->add_option("--ports-file", options->ports_file, "File with one source port per line")->excludes(ports);
    app->add_option("--port-order", options->port_order,
                    "sweep: the ports in order; random: one seeded permutation")
        ->check(CLI::IsMember({"sweep", "random"}))
        ->capture_default_str();
    auto* count = app->add_option("--count", plan.count, "Probes to run (default: one per source port)");
    app->add_option("--duration", options->duration_s, "Run for this many seconds at --rate")
        ->check(CLI::PositiveNumber)
        ->excludes(count);
    app->add_option("--concurrency", plan.concurrency, "Most probes in flight at once")
        ->capture_default_str()
        ->check(CLI::Range(1U, 1'000'000U));
    app->add_option("--rate", plan.rate, "New probes per second (0: as fast as the concurrency allows)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    app->add_option("--arrival", options->arrival, "Arrival process of the open-loop schedule")
        ->check(CLI::IsMember({"constant", "poisson"}))
        ->capture_default_str();
    app->add_option("--seed", plan.seed, "Seed for Poisson arrivals and random port order")->capture_default_str();
    app->add_option("--workers", plan.workers, "Worker threads (default: one per core)");
    app->add_option("--connect-timeout", options->connect_timeout_s, "Seconds for the TCP handshake")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app->add_option("--handshake-timeout", options->handshake_timeout_s, "Seconds for the TLS handshake")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app->add_option("--data-timeout", options->data_timeout_s, "Seconds for the request, response and close")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app->add_option("--hold", options->hold_s, "Seconds to keep each connection open after the exchange")
        ->check(CLI::NonNegativeNumber);
    app->add_option("--tls-version", options->tls_version, "TLS version to offer")
        ->check(CLI::IsMember({"1.2", "1.3", "any"}))
        ->capture_default_str();
    app->add_option("--groups", plan.tls.groups, "Key exchange groups, OpenSSL syntax (X25519:P-256)");
    app->add_option("--ciphers", plan.tls.ciphers, "TLS 1.2 ciphers and TLS 1.3 suites (TLS_*), colon separated");
    app->add_option("--alpn", options->alpn, "ALPN protocols to offer, comma separated (http/1.1,h2)");
    auto* ca_file = app->add_option("--ca-file", plan.tls.ca_file, "PEM file of CA certificates to verify against");
    app->add_flag("--insecure", options->insecure, "Do not verify the server certificate")->excludes(ca_file);
    app->add_flag("--resume", plan.tls.resume, "Resume sessions after a first full handshake per worker");
    app->add_option("--pad-client-hello", plan.tls.pad_client_hello,
                    "Grow the ClientHello message to this many bytes (past one segment)");
    app->add_option("--request", options->request, "What to send after the handshake: http (GET /) or none")
        ->check(CLI::IsMember({"http", "none"}))
        ->capture_default_str();
    app->add_option("--out", options->out_dir, "Run directory (default: runs/<UTC time>)");
    app->add_option("--capture", options->captures,
                    "NAME=INTERFACE or NAME=COMMAND: a capture vantage (repeatable); client and server are analysed")
        ->take_all()
        ->allow_extra_args(false);
    app->add_option("--capture-linger", options->capture_linger_s,
                    "Seconds the captures keep running after the last probe, for late FINs and resets")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    app->add_flag("--allow-high-load", plan.allow_high_load,
                  "Lift the safety caps of 200 probes/s and 1000 concurrent probes");
    return {app, [options] { return run(*options); }};
}

}  // namespace tlsprobe::cli
