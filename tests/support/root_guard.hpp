#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

// Capturing, namespaces and nftables need root: a test skips without it,
// except under CI=true, where a skip would hide a broken feature.
#define TLSPROBE_REQUIRE_ROOT()                                                              \
    do {                                                                                     \
        if (::geteuid() != 0) {                                                              \
            const char* ci = std::getenv("CI");                                              \
            if (ci != nullptr && std::string_view(ci) == "true") {                           \
                FAIL() << "needs root";                                                      \
            }                                                                                \
            GTEST_SKIP() << "needs root";                                                    \
        }                                                                                    \
    } while (false)
