#include "browser_page.hpp"

#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/value_to.hpp>
#include <stdexcept>

#include "child_process.hpp"
#include "core/child_process.hpp"

namespace tlsprobe::testing {
namespace {

// check_page.mjs's own bound; the process gets more, so that the script
// itself kills the browser and removes its profile.
constexpr std::chrono::seconds check_limit{60};
constexpr std::chrono::seconds process_limit{90};

// check_page.mjs's choice of browser.
std::string chromium_path()
{
    const char* chromium = std::getenv("CHROMIUM");
    return chromium != nullptr && *chromium != '\0' ? chromium : "/usr/bin/chromium";
}

std::vector<std::string> strings(const boost::json::object& found, std::string_view key)
{
    return boost::json::value_to<std::vector<std::string>>(found.at(key));
}

}  // namespace

std::optional<std::string> browser_missing()
{
    std::string missing;
    const auto add = [&missing](const std::string& part) { missing += (missing.empty() ? "" : "; ") + part; };
    try {
        if (run_command({"node", "--version"}, std::chrono::seconds(10)).exit_code != 0) {
            add("node does not run");
        }
    } catch (const core::SpawnError&) {
        add("node is not on PATH");
    }
    if (!std::filesystem::exists(std::filesystem::path(TLSPROBE_BROWSER_NODE_MODULES) / "playwright-core" /
                                 "package.json")) {
        add("playwright-core is not in " TLSPROBE_BROWSER_NODE_MODULES " (scripts/install-deps)");
    }
    if (::access(chromium_path().c_str(), X_OK) != 0) {
        add(chromium_path() + " is not installed (scripts/install-deps)");
    }
    if (missing.empty()) {
        return std::nullopt;
    }
    return missing;
}

PageCheck check_page_in_chromium(const std::filesystem::path& html,
                                 const std::filesystem::path& screenshot,
                                 const std::vector<std::pair<std::string, std::string>>& evals)
{
    std::vector<std::string> argv{"node",         TLSPROBE_CHECK_PAGE_SCRIPT, html.string(),
                                  "--screenshot", screenshot.string(),        "--timeout-ms",
                                  std::to_string(std::chrono::milliseconds(check_limit).count())};
    for (const auto& [name, expression] : evals) {
        argv.push_back("--eval");
        argv.push_back(name + "=" + expression);
    }
    CommandResult result;
    try {
        result = run_command(argv, process_limit);
    } catch (const core::SpawnError& error) {
        throw BrowserMissing(std::string("node is not installed: ") + error.what());
    }
    // check_page.mjs: 3 is "the browser could not start".
    if (result.exit_code == 3) {
        throw BrowserMissing(result.err);
    }
    if (result.exit_code != 0) {
        throw std::runtime_error(core::describe_command(argv) + " ended with " + std::to_string(result.exit_code) +
                                 ": " + result.err);
    }
    boost::system::error_code error;
    const auto parsed = boost::json::parse(result.out, error);
    if (error || !parsed.is_object()) {
        throw std::runtime_error("check_page.mjs printed no JSON object: " + result.out + result.err);
    }
    const auto& found = parsed.get_object();
    PageCheck check;
    check.console_errors = strings(found, "console_errors");
    check.console_warnings = strings(found, "console_warnings");
    check.page_errors = strings(found, "page_errors");
    check.requests = strings(found, "requests");
    check.csp_violations = strings(found, "csp_violations");
    check.evals = found.at("evals").as_object();
    check.screenshot = std::string(found.at("screenshot").as_string());
    check.load_time = std::chrono::milliseconds(found.at("load_ms").to_number<std::int64_t>());
    return check;
}

}  // namespace tlsprobe::testing
