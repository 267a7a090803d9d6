#pragma once
// Checks a self-contained HTML file (report.html, compare.html) in real
// headless Chromium: tests/browser/check_page.mjs run by node, with
// playwright-core from tests/browser/node_modules (scripts/install-deps runs
// `npm ci` there) driving Debian's /usr/bin/chromium (CHROMIUM overrides it).
// What the page logged, threw and tried to load, what its CSP refused, the
// values of expressions evaluated after the load event, and a full-page
// screenshot. Every request the page makes is aborted, so a check never
// leaves the machine. Each check starts a fresh browser: two to three seconds
// on a loaded two-core machine, most of it loading playwright-core and
// starting Chromium.
//
// A test that needs the browser starts with TLSPROBE_REQUIRE_BROWSER(): it
// skips when node, playwright-core or Chromium is missing, except under
// CI=true, where the skip would hide a broken report.
#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/errors.hpp"

namespace tlsprobe::testing {

// What the browser saw of one page, as check_page.mjs prints it.
struct PageCheck {
    std::vector<std::string> console_errors;    // console messages of type error, in order
    std::vector<std::string> console_warnings;  // console messages of type warning, in order
    std::vector<std::string> page_errors;       // uncaught exceptions, "Error: message"
    std::vector<std::string> requests;          // URLs other than the page's file (and data:/blob:), sorted; all aborted
    std::vector<std::string> csp_violations;    // "DIRECTIVE BLOCKED_URI" per securitypolicyviolation event
    boost::json::object evals;                  // name -> value of its expression
    std::filesystem::path screenshot;           // the full-page PNG written
    std::chrono::milliseconds load_time{};      // navigation start to the load event
};

// node, playwright-core or Chromium is not installed.
class BrowserMissing : public core::EnvironmentError {
public:
    using core::EnvironmentError::EnvironmentError;
};

// Loads `html` and evaluates each (name, JS expression) pair after the load
// event (a promise is awaited; the value must be JSON). Throws BrowserMissing
// when the browser is not installed, std::runtime_error with the harness's
// message when the check itself failed (the page did not load, an expression
// threw, the 60 s bound passed).
[[nodiscard]] PageCheck check_page_in_chromium(const std::filesystem::path& html,
                                               const std::filesystem::path& screenshot,
                                               const std::vector<std::pair<std::string, std::string>>& evals = {});

// What of node, playwright-core and Chromium is missing; nothing when all are installed.
[[nodiscard]] std::optional<std::string> browser_missing();
[[nodiscard]] inline bool browser_available() { return !browser_missing(); }

}  // namespace tlsprobe::testing

#define TLSPROBE_REQUIRE_BROWSER()                                                           \
    do {                                                                                     \
        if (const auto missing = ::tlsprobe::testing::browser_missing()) {                   \
            const char* ci = std::getenv("CI");                                              \
            if (ci != nullptr && std::string_view(ci) == "true") {                           \
                FAIL() << "needs the browser: " << *missing;                                 \
            }                                                                                \
            GTEST_SKIP() << "needs the browser: " << *missing;                               \
        }                                                                                    \
    } while (false)
