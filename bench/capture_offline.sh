#!/usr/bin/env bash
# Capture benchmark (docs/BENCHMARKS.md, "Capture").
#
#   bench/capture_offline.sh [TLSPROBE] [MIN_PACKETS]
#
# 1. Starts a throwaway nginx on a free loopback port and `tlsprobe capture`
#    on lo (the live figures: kernel drops and the agent's CPU time).
# 2. Loads it with bounded rounds of h2load (many requests on 100 connections,
#    then thousands of one-request connections for handshakes) and TLS 1.2
#    handshakes from `openssl s_client`, until the capture holds MIN_PACKETS
#    (default 1,000,000) or the round limit is reached.
# 3. Starts a second agent and runs the tlsprobe prober at its highest rate
#    (--rate 0 --allow-high-load, 200 in flight, 20,000 probes): kernel drops
#    and the agent's CPU share during that run.
# 4. Offline: `tlsprobe flows` (best of 3) and tshark extracting the same
#    handshake fields (-Y 'tls.handshake.type == 1 || tls.handshake.type == 2'
#    -e tls.handshake.random) from the same pcap; prints packets per second
#    for both and the ratio, and checks both found the same ClientHellos
#    (tshark told the server port is TLS, see below).
# Needs root (capture on lo). TLSPROBE defaults to the release build.
# Everything is written under a temporary directory removed at exit (KEEP=1 keeps it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
tlsprobe=${1:-$root/build/release/cli/tlsprobe}
min_packets=${2:-1000000}
max_rounds=12
work=$(mktemp -d /tmp/tlsprobe-bench-capture.XXXXXX)
chmod 755 "$work"
agent=""
cleanup() {
  [[ -n "$agent" ]] && kill "$agent" 2>/dev/null || true
  "$root/tests/integration/loopback_nginx.sh" stop "$work/nginx" || true
  if [[ "${KEEP:-0}" == 1 ]]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

port=$("$root/tests/integration/loopback_nginx.sh" start "$work/nginx" 1)
url="https://127.0.0.1:$port/"

# The agent stops when its stdin (this fifo) reaches end of file, that is when
# this script closes fd 3, the only writer (the agent itself must not inherit it).
mkfifo "$work/ctl"
exec 3<>"$work/ctl"
/usr/bin/time -o "$work/agent.time" -f "%U %S %e" \
  "$tlsprobe" capture --iface lo --port "$port" --vantage bench --buffer-mib 256 \
  --pcap "$work/lo.pcap" --out "$work/live.jsonl" <"$work/ctl" 2>"$work/agent.log" 3>&- &
agent=$!
for _ in $(seq 200); do grep -qs "capturing on" "$work/agent.log" && break; sleep 0.05; done
grep -q "capturing on" "$work/agent.log" || { cat "$work/agent.log" >&2; exit 3; }

load_start=$(date +%s.%N)
rounds=0
while ((rounds < max_rounds)); do
  rounds=$((rounds + 1))
  timeout 120 h2load -n 80000 -c 100 -t 1 "$url" >/dev/null
  timeout 120 h2load -n 3000 -c 3000 -t 1 "$url" >/dev/null
  for _ in $(seq 20); do
    timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -servername bench.example </dev/null >/dev/null 2>&1 || true
  done
  # ~153 bytes per packet (16-byte pcap record header included) in this mix: a cheap progress estimate.
  size=$(stat -c %s "$work/lo.pcap")
  ((size / 153 >= min_packets)) && break
done
load_end=$(date +%s.%N)
exec 3>&-
wait "$agent"
agent=""

# Live, second part: a fresh agent while the prober runs as fast as it can
# (no rate limit, 200 probes in flight, one probe per source port). The
# ports stay below the ephemeral range (32768-), where h2load's connections
# of the load above may still be in TIME_WAIT and would refuse the bind.
mkfifo "$work/ctl2"
exec 3<>"$work/ctl2"
/usr/bin/time -o "$work/agent2.time" -f "%U %S %e" \
  "$tlsprobe" capture --iface lo --port "$port" --vantage bench-prober --buffer-mib 256 \
  --out "$work/prober-live.jsonl" <"$work/ctl2" 2>"$work/agent2.log" 3>&- &
agent=$!
for _ in $(seq 200); do grep -qs "capturing on" "$work/agent2.log" && break; sleep 0.05; done
prober_start=$(date +%s.%N)
timeout 300 "$tlsprobe" -q run --target "127.0.0.1:$port" --ports 10000-29999 --count 20000 --concurrency 200 \
  --rate 0 --allow-high-load --insecure --out "$work/run" >"$work/run.out" 3>&-
prober_end=$(date +%s.%N)
exec 3>&-
wait "$agent"
agent=""

python3 - "$work" "$tlsprobe" "$load_start" "$load_end" "$min_packets" "$port" "$prober_start" "$prober_end" <<'PY'
import collections, json, resource, subprocess, sys, time
work, tlsprobe, load_start, load_end, min_packets, port = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
prober_start, prober_end = float(sys.argv[7]), float(sys.argv[8])
pcap = f"{work}/lo.pcap"
live = [json.loads(l) for l in open(f"{work}/live.jsonl")]
summary = live[-1]
user, system, elapsed = map(float, open(f"{work}/agent.time").read().split()[-3:])
load_wall = load_end - load_start

# Wall time and CPU time (user + system) of one command. The machine may be
# shared: CPU time is what each tool itself spent, wall time what a user waits.
def timed(cmd, out):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with open(out, "w") as f:
        subprocess.run(cmd, stdout=f, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

ours, ours_cpu = min(timed([tlsprobe, "-q", "flows", pcap, "--out", "-"], f"{work}/flows.jsonl") for _ in range(3))
# Decode-as TLS on the server port: by default tshark hands a connection whose
# ephemeral client port is registered to another protocol (44818 EtherNet/IP...)
# to that dissector and misses its handshake.
theirs, theirs_cpu = timed(["tshark", "-r", pcap, "-d", f"tcp.port=={port},tls", "-Y", "tls.handshake.type == 1 || tls.handshake.type == 2",
                "-T", "fields", "-e", "frame.time_epoch", "-e", "tls.handshake.type", "-e", "tls.handshake.random"],
               f"{work}/tshark.tsv")
flows = [json.loads(l) for l in open(f"{work}/flows.jsonl")]
frames = flows[-1]["frames"]
ours_ch = sorted(f["client_hello"]["client_random"] for f in flows if f.get("type") == "flow" and f["client_hello"])
theirs_ch = []
for line in open(f"{work}/tshark.tsv"):
    cols = line.rstrip("\n").split("\t")
    if len(cols) >= 3 and cols[1].split(",")[0] == "1":
        theirs_ch.append(cols[2].split(",")[0])
theirs_ch.sort()
print(f"capture file:        {frames} packets, {sum(1 for f in flows if f.get('type') == 'flow')} flows, {len(ours_ch)} ClientHellos")
print(f"tlsprobe flows:      wall {ours:.3f} s  {frames / ours:,.0f} packets/s; CPU {ours_cpu:.3f} s  {frames / ours_cpu:,.0f} packets/CPU-s")
print(f"tshark:              wall {theirs:.3f} s  {frames / theirs:,.0f} packets/s; CPU {theirs_cpu:.3f} s  {frames / theirs_cpu:,.0f} packets/CPU-s")
print(f"ratio:               {theirs / ours:.1f}x tshark's rate (wall), {theirs_cpu / ours_cpu:.1f}x (CPU time)")
print(f"same ClientHellos:   {ours_ch == theirs_ch} ({len(ours_ch)} vs {len(theirs_ch)})")
k = summary["kernel"]
print(f"live capture:        kernel received {k['received']}, dropped {k['dropped']}, interface dropped {k['interface_dropped']}, frames read {summary['frames']}")
print(f"agent CPU:           {user + system:.2f} s over a {load_wall:.1f} s load ({100 * (user + system) / load_wall:.1f}% of one core)")
probes = [json.loads(l) for l in open(f"{work}/run/probes.jsonl")]
ok = sum(1 for p in probes if p.get("outcome") == "ok")
prober_wall = prober_end - prober_start
summary2 = [json.loads(l) for l in open(f"{work}/prober-live.jsonl")][-1]
k2 = summary2["kernel"]
user2, system2, _ = map(float, open(f"{work}/agent2.time").read().split()[-3:])
outcomes = ", ".join(f"{n} {o}" for o, n in collections.Counter(p.get("outcome") for p in probes).most_common())
print(f"prober run:          {len(probes)} probes ({outcomes}), {prober_wall:.1f} s ({len(probes) / prober_wall:,.0f} probes/s)")
print(f"live capture:        kernel received {k2['received']}, dropped {k2['dropped']}, interface dropped {k2['interface_dropped']}, frames read {summary2['frames']}, flows {summary2['flows']}")
print(f"agent CPU:           {user2 + system2:.2f} s over the {prober_wall:.1f} s prober run ({100 * (user2 + system2) / prober_wall:.1f}% of one core)")
if frames < min_packets:
    print(f"warning: only {frames} packets, wanted {min_packets}", file=sys.stderr)
    sys.exit(1)
if ours_ch != theirs_ch:
    sys.exit(1)
PY
