// libFuzzer target for the hash model spec parser: the input is a spec
// string ("jhash:seed=0x1234,mod=8", docs/BUCKETS.md) read by
// results::parse_hash_model.
//
// A bad spec is core::UsageError naming the model or parameter; anything
// else escapes and is reported as a crash. What must hold, or the target
// aborts: a model's describe() parses back to a model with the same
// description and the same buckets, and every bucket it gives, for IPv4 and
// IPv6 tuples, is in [first_bucket, first_bucket + bucket_count).
#include <boost/asio/ip/address.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "core/errors.hpp"
#include "fuzz_support.hpp"
#include "results/hash_model.hpp"

namespace {

using namespace tlsprobe::results;

void check_buckets(const HashModel& model, const HashModel& again, const FlowTuple& base)
{
    const std::uint64_t first = model.first_bucket();
    const std::uint64_t end = first + model.bucket_count();
    for (const auto& [bucket, ports] : ports_by_bucket(model, base, 40000, 40015)) {
        if (bucket < first || bucket >= end) {
            std::abort();
        }
        for (const auto port : ports) {
            FlowTuple tuple = base;
            tuple.src_port = port;
            if (again.bucket(tuple) != bucket) {
                std::abort();
            }
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::unique_ptr<HashModel> model;
    try {
        model = parse_hash_model(tlsprobe::fuzz::text_of(data, size));
    } catch (const tlsprobe::core::UsageError&) {
        return 0;
    }
    if (model->bucket_count() == 0) {
        std::abort();
    }
    const auto description = model->describe();
    std::unique_ptr<HashModel> again;
    try {
        again = parse_hash_model(description);
    } catch (const tlsprobe::core::UsageError&) {
        // describe() wrote a spec the parser refuses.
        std::abort();
    }
    if (again->describe() != description) {
        std::abort();
    }
    namespace ip = boost::asio::ip;
    check_buckets(*model, *again,
                  {ip::make_address("198.18.0.2"), 0, ip::make_address("198.18.100.10"), 443});
    check_buckets(*model, *again, {ip::make_address("2001:db8::2"), 0, ip::make_address("2001:db8::10"), 443});
    return 0;
}
