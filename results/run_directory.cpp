#include "results/run_directory.hpp"

#include <ctime>
#include <fstream>

#include "results/errors.hpp"

namespace tlsprobe::results {

std::filesystem::path make_run_directory(const std::string& requested, std::string_view prefix)
{
    std::filesystem::path dir = requested;
    if (dir.empty()) {
        const std::time_t now = std::time(nullptr);
        std::tm utc{};
        gmtime_r(&now, &utc);
        char name[32];
        std::strftime(name, sizeof name, "%Y%m%d-%H%M%S", &utc);
        dir = std::filesystem::path("runs") / (std::string(prefix) + name);
    }
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        throw EnvironmentError("--out: cannot create " + dir.string() + ": " + ec.message());
    }
    return dir;
}

void write_file_atomically(const std::filesystem::path& path, std::string_view text)
{
    auto temporary = path;
    temporary += ".tmp";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << text;
        if (!out.flush()) {
            throw EnvironmentError("cannot write " + temporary.string());
        }
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) {
        throw EnvironmentError("cannot write " + path.string() + ": " + ec.message());
    }
}

}  // namespace tlsprobe::results
