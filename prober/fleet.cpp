#include "prober/fleet.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <list>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "prober/arrival_schedule.hpp"
#include "prober/ec_key_engine.hpp"
#include "prober/outcome_rules.hpp"
#include "prober/port_plan.hpp"
#include "prober/probe.hpp"
#include "core/stop_signals.hpp"

namespace tlsprobe::prober {
namespace {

namespace asio = boost::asio;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string http_request(const std::string& host)
{
    return "GET / HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: tlsprobe/0.1\r\nConnection: close\r\n\r\n";
}

// One worker thread's world. Only its own thread touches it, except the
// atomics (read by the progress line). The io_context is the last member so
// it is destroyed first: probes stopped at an interrupt are coroutine frames
// inside it, and they refer to the members above (their records, the
// environment, the deadline sweeper).
struct Worker {
    Worker(const scenarios::RunPlan& plan, ProbeEnvironment environment, unsigned index, unsigned workers,
           std::uint32_t concurrency)
        : env(std::move(environment)), schedule(plan.arrival, plan.rate, plan.seed, index, workers), cap(concurrency)
    {
    }

    ProbeEnvironment env;
    DeadlineSweeper deadlines{deadline_resolution};
    ArrivalSchedule schedule;
    std::uint32_t cap;
    // The records of the probes started and not yet written, one per probe in
    // flight; each probe's coroutine holds its element and fills it in.
    std::list<ProbeRecord> flying;
    bool stopping = false;
    // Timers of the launch coroutine, which owns them; null before it starts.
    asio::steady_timer* arrival = nullptr;
    asio::steady_timer* slot_freed = nullptr;
    RunStats stats;
    std::uint64_t late_starts = 0;
    std::atomic<std::uint64_t> started{0};
    std::atomic<std::uint64_t> finished{0};
    std::atomic<std::uint64_t> failed{0};
    std::exception_ptr failure;
    std::int64_t ended_ns = 0;   // when io.run() returned; written by the worker before it says it ended
    asio::io_context io{1};
};

// The source ports that have a probe in flight, shared by all workers. A
// re-probe of a tuple waits until the previous attempt on it has closed:
// started earlier, its bind would fail (EADDRNOTAVAIL) and be recorded as a
// local_error against a path that did nothing wrong. With more probes than
// ports, probes i and i + ports land on different workers, so the set cannot
// be per worker. Its lock is taken once when a probe starts and once when it
// ends, never around socket I/O.
class BusyPorts {
public:
    // Holds `port` for the caller when it is free; otherwise `waiter` is woken
    // (its slot_freed timer cancelled, on its own thread) when the port is released.
    [[nodiscard]] bool try_hold(std::uint16_t port, Worker& waiter)
    {
        const std::scoped_lock lock(mutex_);
        if (busy_[port]) {
            waiters_[port].push_back(&waiter);
            return false;
        }
        busy_[port] = true;
        return true;
    }

    void release(std::uint16_t port)
    {
        std::vector<Worker*> waiters;
        {
            const std::scoped_lock lock(mutex_);
            busy_[port] = false;
            if (const auto found = waiters_.find(port); found != waiters_.end()) {
                waiters = std::move(found->second);
                waiters_.erase(found);
            }
        }
        for (Worker* waiter : waiters) {
            asio::post(waiter->io, [waiter] {
                if (waiter->slot_freed != nullptr) {
                    waiter->slot_freed->cancel();
                }
            });
        }
    }

private:
    std::mutex mutex_;
    std::vector<bool> busy_ = std::vector<bool>(65536, false);
    std::unordered_map<std::uint16_t, std::vector<Worker*>> waiters_;
};

asio::awaitable<void> wait_for_free_slot(Worker& worker)
{
    worker.slot_freed->expires_at(asio::steady_timer::time_point::max());
    co_await worker.slot_freed->async_wait(use_tuple);
}

void write_record(Worker& worker, const ProbeRecord& record, const ProbeSink& sink)
{
    sink(record);
    worker.stats.add(record);
    if (is_path_failure(record.outcome)) {
        worker.failed.fetch_add(1, std::memory_order_relaxed);
    }
    worker.finished.fetch_add(1, std::memory_order_relaxed);
}

asio::awaitable<void> probe_and_record(Worker& worker, std::list<ProbeRecord>::iterator record,
                                       const ProbeSink& sink, BusyPorts& busy)
{
    co_await run_probe(worker.env, worker.deadlines, *record);
    busy.release(record->src_port);
    write_record(worker, *record, sink);
    worker.flying.erase(record);
    worker.slot_freed->cancel();
}

// The grace after an interrupt is over: every probe still in flight is
// written as it stands, then the loop stops. Running on the worker's own
// thread, between two resumptions of its probes, it sees each record whole;
// the stopped loop never resumes those coroutines again (they are destroyed
// with the io_context), so none of them can write a second record.
void write_interrupted(Worker& worker, const ProbeSink& sink)
{
    for (auto& record : worker.flying) {
        mark_interrupted(record, worker.env.clock.now_ns());
        write_record(worker, record, sink);
    }
    worker.io.stop();
}

asio::awaitable<void> launch(Worker& worker, const PortPlan& ports, BusyPorts& busy, std::uint64_t planned,
                             std::optional<std::int64_t> duration_ns, const PhaseClock& clock,
                             const ProbeSink& sink)
{
    asio::steady_timer arrival(worker.io);
    asio::steady_timer slot_freed(worker.io);
    worker.arrival = &arrival;
    worker.slot_freed = &slot_freed;
    while (!worker.stopping) {
        const auto slot = worker.schedule.next();
        if (duration_ns ? slot.due_ns >= *duration_ns : slot.probe_index >= planned) {
            break;
        }
        // A probe already due (always, at --rate 0) starts without a trip
        // through the timer queue, which would re-arm the timerfd for nothing.
        if (clock.now_ns() < slot.due_ns) {
            arrival.expires_at(clock.at(slot.due_ns));
            co_await arrival.async_wait(use_tuple);
        }
        const auto assignment = ports.at(slot.probe_index);
        bool late = false;
        while (!worker.stopping) {
            if (worker.flying.size() >= worker.cap) {
                late = true;
                co_await wait_for_free_slot(worker);
            } else if (!busy.try_hold(assignment.port, worker)) {
                late = true;
                co_await wait_for_free_slot(worker);
            } else {
                break;
            }
        }
        if (late) {
            ++worker.late_starts;
        }
        if (worker.stopping) {
            break;
        }
        const auto record = worker.flying.insert(
            worker.flying.end(), new_probe_record(worker.env, {.probe_id = slot.probe_index,
                                                               .attempt = assignment.attempt,
                                                               .source_port = assignment.port,
                                                               .due_ns = slot.due_ns}));
        worker.started.fetch_add(1, std::memory_order_relaxed);
        asio::co_spawn(worker.io, probe_and_record(worker, record, sink, busy),
                       [](const std::exception_ptr& error) {
                           if (error) {
                               std::rethrow_exception(error);
                           }
                       });
    }
    while (!worker.flying.empty()) {
        co_await wait_for_free_slot(worker);
    }
    worker.arrival = nullptr;
    worker.slot_freed = nullptr;
}

void print_progress(const std::vector<std::unique_ptr<Worker>>& workers, const PhaseClock& clock)
{
    std::uint64_t started = 0;
    std::uint64_t finished = 0;
    std::uint64_t failed = 0;
    for (const auto& worker : workers) {
        started += worker->started.load(std::memory_order_relaxed);
        finished += worker->finished.load(std::memory_order_relaxed);
        failed += worker->failed.load(std::memory_order_relaxed);
    }
    const double seconds = static_cast<double>(clock.now_ns()) / 1e9;
    fmt::print(stderr, "\r[{:7.1f} s] started {}  in flight {}  finished {}  failed {}  {:.0f}/s   ", seconds,
               started, started - finished, finished, failed,
               seconds > 0 ? static_cast<double>(started) / seconds : 0.0);
}

}  // namespace

Fleet::Fleet(const scenarios::RunPlan& plan, asio::ip::tcp::endpoint target, asio::ip::address source,
             const ClientTls& tls, ProbeSink sink)
    : plan_(plan), target_(std::move(target)), source_(std::move(source)), tls_(tls), sink_(std::move(sink))
{
}

FleetReport Fleet::run()
{
    const core::StopSignals stop_signals;
    install_ec_key_engine();

    const PhaseClock clock;
    const PortPlan ports(plan_);
    BusyPorts busy;
    const unsigned count = plan_.workers != 0 ? plan_.workers : std::max(1U, std::thread::hardware_concurrency());
    const std::uint64_t planned = scenarios::planned_probes(plan_);
    std::optional<std::int64_t> duration_ns;
    if (plan_.duration && !plan_.count) {
        duration_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(*plan_.duration).count();
    }

    std::vector<std::unique_ptr<Worker>> workers;
    for (unsigned i = 0; i < count; ++i) {
        const auto share = static_cast<std::uint32_t>(plan_.concurrency / count + (i < plan_.concurrency % count));
        ProbeEnvironment environment{
            .tls = tls_,
            .clock = clock,
            .target = target_,
            .source = source_,
            .connect_timeout = plan_.connect_timeout,
            .handshake_timeout = plan_.handshake_timeout,
            .data_timeout = plan_.data_timeout,
            .hold = plan_.hold,
            .request = plan_.request,
            .http_request = http_request(tls_.server_name().empty() ? plan_.target.host : tls_.server_name()),
            .resume = plan_.tls.resume,
            .resumable = nullptr,
            .resumable_cert_sha256 = {},
        };
        workers.push_back(std::make_unique<Worker>(plan_, std::move(environment), i, count, std::max(1U, share)));
    }

    std::atomic<unsigned> running{count};
    std::vector<std::thread> threads;
    for (auto& worker : workers) {
        asio::co_spawn(worker->io, launch(*worker, ports, busy, planned, duration_ns, clock, sink_),
                       [](const std::exception_ptr& error) {
                           if (error) {
                               std::rethrow_exception(error);
                           }
                       });
        threads.emplace_back([&worker = *worker, &running, &clock] {
            try {
                worker.io.run();
            } catch (...) {
                worker.failure = std::current_exception();
            }
            worker.ended_ns = clock.now_ns();
            running.fetch_sub(1);
        });
    }

    FleetReport report;
    const bool show_progress = ::isatty(STDERR_FILENO) == 1;
    auto next_progress = PhaseClock::clock::now();
    std::optional<PhaseClock::clock::time_point> give_up_at;
    bool gave_up = false;
    const auto bound = plan_.stop_after.count() > 0
                           ? std::optional(PhaseClock::clock::now() + plan_.stop_after)
                           : std::nullopt;
    while (running.load() > 0) {
        const bool signalled = stop_signals.received(std::chrono::milliseconds(20));
        const bool worker_failed = std::any_of(workers.begin(), workers.end(), [](const auto& w) {
            return w->failure != nullptr;
        });
        const bool at_bound = bound && PhaseClock::clock::now() >= *bound;
        if ((signalled || worker_failed || at_bound) && !give_up_at) {
            report.interrupted = signalled;
            report.hit_bound = at_bound && !signalled;
            give_up_at = PhaseClock::clock::now() + interrupt_grace;
            for (auto& worker : workers) {
                asio::post(worker->io, [&w = *worker] {
                    w.stopping = true;
                    if (w.arrival != nullptr) {
                        w.arrival->cancel();
                        w.slot_freed->cancel();
                    }
                });
            }
        }
        if (give_up_at && !gave_up && PhaseClock::clock::now() >= *give_up_at) {
            gave_up = true;
            for (auto& worker : workers) {
                asio::post(worker->io, [&w = *worker, this] { write_interrupted(w, sink_); });
            }
        }
        if (show_progress && PhaseClock::clock::now() >= next_progress) {
            print_progress(workers, clock);
            next_progress = PhaseClock::clock::now() + std::chrono::milliseconds(250);
        }
    }
    for (auto& thread : threads) {
        thread.join();
    }
    if (show_progress) {
        fmt::print(stderr, "\n");
    }
    for (const auto& worker : workers) {
        if (worker->failure) {
            std::rethrow_exception(worker->failure);
        }
        report.stats.merge(worker->stats);
        report.late_starts += worker->late_starts;
    }
    std::int64_t last_end_ns = 0;
    for (const auto& worker : workers) {
        last_end_ns = std::max(last_end_ns, worker->ended_ns);
    }
    report.wall_seconds = static_cast<double>(last_end_ns) / 1e9;
    return report;
}

}  // namespace tlsprobe::prober
