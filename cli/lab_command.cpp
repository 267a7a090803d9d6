#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fmt/format.h>
#include <map>
#include <optional>

#include "cli/command.hpp"
#include "cli/enum_option.hpp"
#include "lab/config.hpp"
#include "lab/lab.hpp"
#include "lab/relay.hpp"
#include "lab/status.hpp"
#include "core/endpoint.hpp"
#include "core/errors.hpp"

namespace tlsprobe::cli {

namespace {

using core::ExitCode;

struct UpOptions {
    lab::LabConfig config;
    std::filesystem::path hash_map;
};

struct StatusOptions {
    bool json = false;
    std::optional<std::filesystem::path> tuples;
};

struct RelayOptions {
    std::string listen;
    std::string connect;
    std::string source = "0.0.0.0";
    int ttl = 255;
    std::filesystem::path log;
};

boost::asio::ip::tcp::endpoint parse_endpoint(const std::string& field, const std::string& text)
{
    const auto endpoint = core::parse_endpoint(text, field);
    boost::system::error_code error;
    const auto address = boost::asio::ip::make_address(endpoint.host, error);
    if (error) {
        throw core::UsageError(field, fmt::format(": \"{}\" is not an IP address", endpoint.host));
    }
    return {address, endpoint.port};
}

int run_up(UpOptions& options)
{
    auto& config = options.config;
    if (!options.hash_map.empty()) {
        config.hash_map_file = options.hash_map;
        config.hash_map = lab::load_hash_map(options.hash_map, config.buckets);
    }
    lab::lab_up(config, std::filesystem::read_symlink("/proc/self/exe"));
    spdlog::info("lab up: {} node(s), {} bucket(s), hash {}, faulty [{}], reset [{}], loss {}%, proxy {}, server {}",
                 config.nodes, config.buckets,
                 config.uses_hash_map() ? "map " + config.hash_map_file.string() : config.hash_model_spec(),
                 fmt::join(config.faulty, ","), fmt::join(config.reset_buckets, ","), config.loss_pct,
                 config.proxy ? "yes" : "no", lab::to_string(config.server_behaviour));
    return 0;
}

int run_down()
{
    const auto removed = lab::lab_down();
    if (removed.empty()) {
        spdlog::info("lab down: nothing to remove");
    } else {
        spdlog::info("lab down: removed {}", fmt::join(removed, " "));
    }
    return 0;
}

int run_status(const StatusOptions& options)
{
    const auto status = lab::lab_status(options.tuples);
    if (options.json) {
        fmt::print("{}\n", boost::json::serialize(status.document));
    } else {
        fmt::print("{}", lab::status_text(status.document));
    }
    if (status.disagreements > 0) {
        spdlog::error("{} tuple(s) hashed to a different bucket by the switch than by the ground truth",
                      status.disagreements);
        return static_cast<int>(core::ExitCode::unhealthy);
    }
    return 0;
}

int run_relay(const RelayOptions& options)
{
    boost::system::error_code error;
    const auto source = boost::asio::ip::make_address(options.source, error);
    if (error) {
        throw core::UsageError(fmt::format("--source {}: not an IP address", options.source));
    }
    lab::run_relay({parse_endpoint("listen", options.listen), parse_endpoint("connect", options.connect), source,
                    options.ttl, options.log});
    return 0;
}

}  // namespace

Command add_lab_command(CLI::App& parent)
{
    auto* lab = parent.add_subcommand("lab", "Build, inspect and remove the namespaces lab that reproduces the incident");
    lab->require_subcommand(1);

    auto up_options = std::make_shared<UpOptions>();
    auto* up = lab->add_subcommand("up", "Build the lab (root) and start its server");
    auto& c = up_options->config;
    up->add_option("--nodes", c.nodes, "Load-balancer nodes behind the switch")->capture_default_str();
    up->add_option("--buckets", c.buckets, "Hash buckets of the switch; bucket b goes to node b % nodes")
        ->capture_default_str();
    auto* seed = up->add_option("--seed", c.seed, "Seed of the switch's nft jhash (decimal or 0x hex)")->capture_default_str();
    up->add_option("--hash-map", up_options->hash_map, "File of \"source_port bucket\" lines replacing jhash")
        ->excludes(seed);
    auto* faulty = up->add_option("--faulty", c.faulty, "Buckets whose non-SYN packets go to another node (B1,B2,...)")
                       ->delimiter(',');
    up->add_option("--split-prob", c.split_prob, "Fraction of a faulty bucket's non-SYN packets misrouted")
        ->capture_default_str()
        ->needs(faulty);
    up->add_option("--loss", c.loss_pct, "Percent of client-to-server packets dropped at random")->capture_default_str();
    up->add_option("--reset-buckets", c.reset_buckets,
                   "Buckets whose TLS application data the switch answers with a TCP reset (B1,B2,...)")
        ->delimiter(',');
    up->add_flag("--proxy", c.proxy, "Put a TCP-terminating relay (TTL 255) two routed hops from the client");
    up->add_flag("--lb-sloppy", c.lb_sloppy, "Nodes forward packets of flows whose SYN they did not see");
    // The lab starts its server silent or not (see lab::lab_up).
    add_enum_option(*up, "--server-behaviour", c.server_behaviour, prober::server_behaviour_names,
                    "Behaviour of the lab's tlsprobe serve",
                    {lab::ServerBehaviour::normal, lab::ServerBehaviour::silent});

    auto* down = lab->add_subcommand("down", "Stop the lab's processes and delete its namespaces");

    auto status_options = std::make_shared<StatusOptions>();
    auto* status = lab->add_subcommand("status", "Configuration, counters and per-tuple ground truth of the lab");
    status->add_flag("--json", status_options->json, "Print one JSON document");
    status->add_option("--tuples", status_options->tuples,
                       "probes.jsonl or \"src_ip src_port dst_ip dst_port\" lines to compute ground truth for");

    auto relay_options = std::make_shared<RelayOptions>();
    auto* relay = lab->add_subcommand("relay", "The lab proxy's TCP-terminating relay (started by `lab up --proxy`)");
    relay->add_option("--listen", relay_options->listen, "ADDRESS:PORT to accept on")->required();
    relay->add_option("--connect", relay_options->connect, "ADDRESS:PORT to relay to")->required();
    relay->add_option("--source", relay_options->source, "Source address of the relay's own connections")
        ->capture_default_str();
    relay->add_option("--ttl", relay_options->ttl, "IP TTL of the relay's sockets")
        ->check(CLI::Range(1, 255))
        ->capture_default_str();
    relay->add_option("--log", relay_options->log, "JSON Lines file of relayed connections")->required();

    return {lab, [=]() {
                if (up->parsed()) {
                    return run_up(*up_options);
                }
                if (down->parsed()) {
                    return run_down();
                }
                if (status->parsed()) {
                    return run_status(*status_options);
                }
                return run_relay(*relay_options);
            }};
}

}  // namespace tlsprobe::cli
