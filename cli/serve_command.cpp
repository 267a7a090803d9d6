#include <boost/asio/ip/address.hpp>

#include <memory>

#include "cli/command.hpp"
#include "cli/enum_option.hpp"
#include "cli/number_checks.hpp"
#include "core/durations.hpp"
#include "prober/responder.hpp"
#include "core/errors.hpp"
#include "scenarios/run_plan.hpp"

namespace tlsprobe::cli {
namespace {

struct ServeOptions {
    prober::ResponderConfig config;
    std::vector<std::string> listen{"127.0.0.1:8443"};
    std::string cert_file;
    std::string key_file;
    std::string cert_out;
    double handshake_timeout_s = 10;
    double data_timeout_s = 10;
    std::optional<double> duration_s;
};

int serve(ServeOptions& options)
{
    auto& config = options.config;
    for (const auto& text : options.listen) {
        auto endpoint = scenarios::parse_endpoint(text, "listen", scenarios::PortZero::allowed);
        boost::system::error_code ec;
        boost::asio::ip::make_address(endpoint.host, ec);
        if (ec) {
            throw core::UsageError("listen", ": \"" + endpoint.host + "\" is not an IP address");
        }
        config.listen.push_back(std::move(endpoint));
    }
    if (!options.cert_file.empty()) {
        config.cert_file = options.cert_file;
        config.key_file = options.key_file;
    }
    if (!options.cert_out.empty()) {
        config.cert_out = options.cert_out;
    }
    config.handshake_timeout = core::seconds_flag(options.handshake_timeout_s);
    config.data_timeout = core::seconds_flag(options.data_timeout_s);
    if (options.duration_s) {
        config.duration = core::seconds_flag(*options.duration_s);
    }
    prober::serve(config);
    return 0;
}

}  // namespace

Command add_serve_command(CLI::App& parent)
{
    auto options = std::make_shared<ServeOptions>();
    auto& config = options->config;
    auto* app = parent.add_subcommand("serve", "Run the synthetic TLS target (prints 'listening ADDR:PORT' lines)");
    app->add_option("--listen", options->listen, "ADDR:PORT to listen on, repeatable; port 0 picks a free port")
        ->capture_default_str();
    auto* cert = app->add_option("--cert", options->cert_file, "PEM certificate (default: self-signed ECDSA P-256)")
                     ->check(CLI::ExistingFile);
    auto* key = app->add_option("--key", options->key_file, "PEM private key of --cert")->check(CLI::ExistingFile);
    cert->needs(key);
    key->needs(cert);
    app->add_option("--cert-out", options->cert_out, "Write the self-signed certificate here, for run --ca-file")
        ->excludes(cert);
    add_enum_option(*app, "--behaviour", config.behaviour, prober::server_behaviour_names,
                    "How to treat each connection");
    app->add_option("--handshake-timeout", options->handshake_timeout_s,
                    "Seconds to wait for the handshake; a silent server closes after this")
        ->capture_default_str()
        ->check(greater_than_zero);
    app->add_option("--data-timeout", options->data_timeout_s, "Seconds to wait for the request and the close")
        ->capture_default_str()
        ->check(greater_than_zero);
    app->add_option("--duration", options->duration_s, "Stop after this many seconds (default: until SIGINT/SIGTERM)")
        ->check(greater_than_zero);
    app->add_option("--threads", config.threads, "Threads (default: one per core)");
    return {app, [options] { return serve(*options); }};
}

}  // namespace tlsprobe::cli
