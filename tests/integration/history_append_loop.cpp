// The child of the SIGKILL test (history_kill_test.cpp): appends
// numbered_run(FIRST), numbered_run(FIRST + 1), ... to the history FILE until
// it is killed, and prints "ID SEQUENCE" after each append() has returned,
// with one write(2) so the line is out before the next append starts.
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <string>

#include "history_fixture.hpp"
#include "results/history_store.hpp"

int main(int argc, char** argv)
{
    if (argc != 3) {
        std::fputs("usage: history_append_loop FILE FIRST_SEQUENCE\n", stderr);
        return 2;
    }
    try {
        auto store = tlsprobe::results::HistoryStore::open(argv[1]);
        for (auto sequence = std::stoull(argv[2]);; ++sequence) {
            const auto id = store.append(tlsprobe::testing::numbered_run(sequence));
            const auto line = std::to_string(id) + " " + std::to_string(sequence) + "\n";
            if (::write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
                return 1;
            }
        }
    } catch (const std::exception& error) {
        std::fprintf(stderr, "history_append_loop: %s\n", error.what());
        return 1;
    }
}
