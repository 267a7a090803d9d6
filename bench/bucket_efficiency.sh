#!/usr/bin/env bash
# Bucket-hunt efficiency in the lab (docs/BENCHMARKS.md, "Buckets").
#
#   bench/bucket_efficiency.sh [TLSPROBE] [SEEDS]
#
# How many probes `tlsprobe hunt` needs to name one dead bucket among 64
# with about 1% background probe failures, against the plain way of doing it
# with the same tool: a non-adaptive sweep of random source ports
# (`tlsprobe run`) analysed by `tlsprobe buckets`. No other tool infers hash
# buckets, so the plain sweep is the peer. For each seed (default 11):
#
# 1. Known model. `lab up --buckets 64 --seed H --faulty D --loss 0.5`
#    (jhash seed H, dead bucket D, 0.5% of client packets dropped, which with
#    0.15 s connect/handshake and 0.3 s data timeouts fails about 1% of
#    probes). `hunt --model jhash:seed=H,mod=64 --budget 1000`: probes spent,
#    buckets named, determinism verdict. Then `run --port-order random
#    --count 1000` once through the same lab, and `buckets --model` on its
#    first N records for N = 32, 64, ...: the smallest N at which it names a
#    faulty bucket, as a user of the sweep would stop (the sweep probes each
#    tuple once, so it says nothing on determinism), and whether that is D.
# 2. Unknown linear hash. The switch hashes with a map of CRC-16/ARC of the
#    source port mod 64 (`--hash-map`), bucket D dead, same loss.
#    `hunt --ports 1024-65535 --budget 3000` without a model: probes until
#    the GF(2) fit is accepted, and the fitted equations scored against the
#    map on all 64,512 ports. Then `run` over 1,600 random ports twice each
#    (`--ports-file`, `--count 3200`; a port is failing when both tries
#    failed, as hunt's re-probes do), and `buckets` on the records of the
#    first K ports for K = 100, 200, ...: the smallest 2K whose fit is
#    accepted, and how right that fit is on all ports.
#
# Prints one line per seed and case, then medians and the ratio hunt / sweep.
# Needs root (the lab). TLSPROBE defaults to the release build. Everything
# is written under a temporary directory removed at exit (KEEP=1 keeps it);
# the lab is torn down at exit whatever happens.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
tlsprobe=${1:-$root/build/release/cli/tlsprobe}
seeds=${2:-11}
work=$(mktemp -d /tmp/tlsprobe-bench-buckets.XXXXXX)
chmod 755 "$work"
cleanup() {
  "$tlsprobe" -q lab down >/dev/null 2>&1 || true
  if [[ "${KEEP:-0}" == 1 ]]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
[[ $(id -u) == 0 ]] || { echo "bucket_efficiency: needs root for the lab" >&2; exit 3; }

loss=0.5
probe_flags=(--target 198.18.100.10:443 --source-ip 198.18.1.2 --rate 200 --concurrency 200 --insecure
             --connect-timeout 0.15 --handshake-timeout 0.15 --data-timeout 0.3)
client() { ip netns exec tlsp-client "$tlsprobe" -q "$@"; }

# CRC-16/ARC of each source port (2 bytes, network order) mod 64, as the lab's hash map.
python3 - "$work/crc16.map" <<'EOF'
import sys
def crc16_arc(data):
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc
with open(sys.argv[1], "w") as out:
    for port in range(1024, 65536):
        out.write(f"{port} {crc16_arc(port.to_bytes(2, 'big')) % 64}\n")
EOF

# Attempts, faulty buckets, determinism verdict and fit outcome of a buckets.json.
summary() {
  python3 - "$1" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
faulty = ",".join(str(b) for b in report.get("faulty_buckets", [])) or "-"
print(report["attempts"], faulty, report["determinism"]["verdict"], report.get("port_fit", {}).get("outcome", "-"))
EOF
}

# Share of ports 1024-65535 on which the fitted equations of buckets.json
# agree with "the map puts the port in bucket D"; 0 without an accepted fit.
fit_accuracy() {
  python3 - "$1" "$work/crc16.map" "$2" <<'EOF'
import json, sys
fit = json.load(open(sys.argv[1])).get("port_fit", {})
if fit.get("outcome") != "accepted":
    print("0"); sys.exit()
dead = int(sys.argv[3])
right = total = 0
for line in open(sys.argv[2]):
    port, bucket = map(int, line.split())
    inside = all(bin(port & e["mask"]).count("1") % 2 == e["parity"] for e in fit["equations"])
    right += inside == (bucket == dead)
    total += 1
print(f"{right / total:.4f}")
EOF
}

# Failure rate of the probes outside bucket D (the measured background).
background_rate() {
  python3 - "$1" <<'EOF'
import json, sys
b = json.load(open(sys.argv[1]))["buckets"]
probes = sum(x["probes"] for x in b if x["verdict"] != "faulty")
fails = sum(x["failures"] for x in b if x["verdict"] != "faulty")
print(f"{fails / probes:.4f}" if probes else "-")
EOF
}

now() { date +%s.%N; }

# Where a user of the plain sweep in RUN_DIR would have stopped: `buckets`
# (with the extra flags) on growing prefixes until it names a faulty bucket
# (MODE model: the first N records, N = 32, 64, ...) or accepts a fit
# (MODE linear: the records of the first K ports of ports-$seed.txt, K = 100,
# 200, ..., 2K probes). Sets `sweep` (probes) and `sweep_result`.
sweep_stop() {
  local mode=$1 run=$2 sizes size probes named outcome
  shift 2
  sweep="-"
  sweep_result="-"
  mkdir -p "$work/prefix"
  if [[ $mode == model ]]; then sizes=$(seq 32 32 1000); else sizes=$(seq 100 100 1600); fi
  for size in $sizes; do
    if [[ $mode == model ]]; then
      probes=$size
      head -n "$size" "$run/probes.jsonl" >"$work/prefix/probes.jsonl"
    else
      probes=$((2 * size))
      python3 - "$run/probes.jsonl" "$size" "$work/ports-$seed.txt" >"$work/prefix/probes.jsonl" <<'EOF'
import json, sys
ports = {int(p) for p in open(sys.argv[3]).read().split()[: int(sys.argv[2])]}
for line in open(sys.argv[1]):
    if json.loads(line)["src_port"] in ports:
        sys.stdout.write(line)
EOF
    fi
    "$tlsprobe" -q buckets "$work/prefix" "$@" >/dev/null 2>&1 || true
    read -r _ named _ outcome < <(summary "$work/prefix/buckets.json")
    if [[ $mode == model && "$named" != "-" ]]; then
      sweep=$probes
      sweep_result=$([[ "$named" == "$dead" ]] && echo "named" || echo "WRONG:$named")
      return
    fi
    if [[ $mode == linear && "$outcome" == accepted ]]; then
      sweep=$probes
      sweep_result="fit:$(fit_accuracy "$work/prefix/buckets.json" "$dead")"
      return
    fi
  done
}
# `hunt` into DIR with the seed of the loop and the extra flags; sets `wall`
# to its seconds. Exit 0 (healthy) and 1 (found the fault) are results.
timed_hunt() {
  local dir=$1 start status=0
  shift
  start=$(now)
  client hunt "${probe_flags[@]}" --repeat-gap 1 --seed "$seed" --out "$dir" "$@" >/dev/null 2>&1 || status=$?
  wall=$(awk -v a="$start" -v b="$(now)" 'BEGIN { print b - a }')
  ((status <= 1)) || { echo "hunt failed with $status (seed $seed)" >&2; exit 1; }
}
printf '%-6s %-5s %-5s %-16s %6s %-16s %6s %-15s %10s %6s\n' case seed dead hunt_result hunt sweep_result sweep \
  determinism background wall_s
: >"$work/model.txt"
: >"$work/linear.txt"
for seed in $(seq "$seeds"); do
  dead=$(( (seed * 37) % 64 ))
  hash_seed=$(printf '0x%x' $((0x1000 + seed)))

  # 1. Known model.
  "$tlsprobe" -q lab up --buckets 64 --seed "$hash_seed" --faulty "$dead" --loss "$loss" >/dev/null
  timed_hunt "$work/hunt-model-$seed" --budget 1000 --model "jhash:seed=$hash_seed,mod=64"
  report="$work/hunt-model-$seed/buckets.json"
  read -r spent faulty verdict _ < <(summary "$report")
  background=$(background_rate "$report")
  client run "${probe_flags[@]}" --port-order random --seed "$seed" --count 1000 \
    --out "$work/sweep-model-$seed" >/dev/null 2>&1 || true
  sweep_stop model "$work/sweep-model-$seed" --model "jhash:seed=$hash_seed,mod=64"
  "$tlsprobe" -q lab down >/dev/null
  result=$([[ "$faulty" == "$dead" ]] && echo "named" || echo "WRONG:$faulty")
  printf '%-6s %-5s %-5s %-16s %6s %-16s %6s %-15s %10s %6.1f\n' model "$seed" "$dead" "$result" "$spent" \
    "$sweep_result" "$sweep" "$verdict" "$background" "$wall"
  echo "$spent $sweep $result $sweep_result" >>"$work/model.txt"

  # 2. Unknown linear hash.
  "$tlsprobe" -q lab up --buckets 64 --hash-map "$work/crc16.map" --faulty "$dead" --loss "$loss" >/dev/null
  timed_hunt "$work/hunt-linear-$seed" --budget 3000 --ports 1024-65535
  report="$work/hunt-linear-$seed/buckets.json"
  read -r spent _ verdict outcome < <(summary "$report")
  accuracy=$(fit_accuracy "$report" "$dead")
  python3 -c "import random,sys; r=random.Random(int(sys.argv[1])); print('\n'.join(map(str, r.sample(range(1024, 65536), 1600))))" \
    "$seed" >"$work/ports-$seed.txt"
  client run "${probe_flags[@]}" --ports-file "$work/ports-$seed.txt" --count 3200 \
    --out "$work/sweep-linear-$seed" >/dev/null 2>&1 || true
  sweep_stop linear "$work/sweep-linear-$seed"
  "$tlsprobe" -q lab down >/dev/null
  result=$([[ "$outcome" == accepted ]] && echo "fit:$accuracy" || echo "NO-FIT:$outcome")
  printf '%-6s %-5s %-5s %-16s %6s %-16s %6s %-15s %10s %6.1f\n' linear "$seed" "$dead" "$result" "$spent" \
    "$sweep_result" "$sweep" "$verdict" "-" "$wall"
  echo "$spent $sweep $result $sweep_result" >>"$work/linear.txt"
done

python3 - "$work/model.txt" "$work/linear.txt" <<'EOF'
import statistics, sys
def right(result):
    if result.startswith("fit:"):
        return float(result[4:]) >= 0.99
    return result == "named"
for name, path, target in (("known model", sys.argv[1], 128), ("unknown linear hash", sys.argv[2], 1500)):
    rows = [line.split() for line in open(path)]
    hunt = [int(r[0]) for r in rows]
    sweep = [int(r[1]) for r in rows if r[1] != "-"]
    print(f"{name}: hunt median {statistics.median(hunt):.0f} probes (max {max(hunt)}, target {target}), "
          f"right in {sum(right(r[2]) for r in rows)}/{len(rows)} seeds")
    if sweep:
        print(f"{name}: sweep median {statistics.median(sweep):.0f} probes (stopped in {len(sweep)}/{len(rows)} "
              f"seeds, right in {sum(right(r[3]) for r in rows)}); "
              f"ratio hunt/sweep {statistics.median(hunt) / statistics.median(sweep):.2f}")
EOF
