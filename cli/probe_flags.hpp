#pragma once
// The flags that shape each probe, shared by `run` and `hunt`: target,
// source, rate and concurrency caps, timeouts, TLS and request options.
#include <CLI/CLI.hpp>

#include <string>

#include "scenarios/run_plan.hpp"

namespace tlsprobe::cli {

struct ProbeFlags {
    scenarios::RunPlan plan;
    std::string target;
    std::string ports = "20000-29999";
    std::string alpn;
    double connect_timeout_s = 3;
    double handshake_timeout_s = 5;
    double data_timeout_s = 5;
    double hold_s = 0;
    bool insecure = false;
};

// Registers the flags; returns the --ports option so a command can exclude it.
CLI::Option* add_probe_flags(CLI::App& app, ProbeFlags& flags);

// Fills flags.plan from the parsed flags (the port range from --ports unless
// the plan already holds an explicit port list). Does not validate the plan.
void fill_plan(ProbeFlags& flags);

}  // namespace tlsprobe::cli
