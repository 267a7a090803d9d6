#!/usr/bin/env bash
# tlsprobe run against h2load, side by side, on one local nginx.
#
# Part 1 (CPU): N rounds; each round runs, for each kind of handshake, `tlsprobe
# run --request http` (verifying against a throwaway CA), `h2load --h1 -H
# 'Connection: close'` and `tlsprobe run --insecure` one after the other
# against the same nginx, every request on a fresh connection. The kinds, one
# nginx server each: a full TLS 1.3 handshake (no session cache, no tickets), a
# full TLS 1.2 handshake (ECDHE-ECDSA, no cache, no tickets), and a resumed TLS
# 1.3 handshake (tickets on; tlsprobe --resume, h2load as it comes: the
# script counts the handshakes nginx resumed for each client).
# Client CPU (user+sys from wait4's rusage, via /usr/bin/time) per handshake
# and handshakes per second, medians over the rounds, ratio tlsprobe/h2load.
# Part 2 (memory): one tlsprobe run holding K established TLS connections at
# once; its VmRSS at the plateau minus that of the same run holding one. It
# ramps up at R connections per second; one worker on this machine completes
# about 800-1,000 full handshakes per second, and handshakes that pile up in
# flight leave memory behind (see below), so the script reports how many did.
#
# Prints a Markdown section (for docs/BENCHMARKS.md) on stdout; progress on
# stderr. Run as root (nginx, 20000 open files). Everything it starts lives
# in a temporary directory and is stopped and removed on exit.
set -euo pipefail

rounds=5
count=5000
concurrency=50
hold_connections=15000
hold_rate=1000
memory=1
pin=1
command_line="bench/prober_vs_h2load.sh${*:+ $*}"

usage() {
  cat <<EOF
usage: $0 [--rounds N] [--count M] [--concurrency C] [--hold-connections K]
          [--hold-rate R] [--no-memory] [--no-pin]
  --rounds N            alternating rounds of tlsprobe and h2load (default $rounds)
  --count M             handshakes per client run (default $count, at most 10000)
  --concurrency C       connections in flight per client run (default $concurrency)
  --hold-connections K  established connections held at once by the memory run (default $hold_connections)
  --hold-rate R         new connections per second while the memory run ramps up (default $hold_rate)
  --no-memory           skip the memory run
  --no-pin              do not pin the client to CPU 0 and nginx to CPU 1
EOF
}

while (($#)); do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --count) count=$2; shift 2 ;;
    --concurrency) concurrency=$2; shift 2 ;;
    --hold-connections) hold_connections=$2; shift 2 ;;
    --hold-rate) hold_rate=$2; shift 2 ;;
    --no-memory) memory=0; shift ;;
    --no-pin) pin=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "$0: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
for value in "$rounds" "$count" "$concurrency" "$hold_connections" "$hold_rate"; do
  [[ $value =~ ^[1-9][0-9]*$ ]] || { echo "$0: \"$value\" is not a positive integer" >&2; exit 2; }
done
# Each tlsprobe run sweeps its own source-port range below the ephemeral
# range h2load draws from: 20000-29999 for the CPU runs, the K ports below
# 20000 for the held connections.
((count <= 10000)) || { echo "$0: --count is at most 10000 (source ports 20000-29999)" >&2; exit 2; }
((hold_connections <= 15000)) || { echo "$0: --hold-connections is at most 15000 (ports 5000-19999)" >&2; exit 2; }
((rounds <= 50)) || { echo "$0: --rounds is at most 50" >&2; exit 2; }
((EUID == 0)) || { echo "$0: run as root (nginx and 20000 open files)" >&2; exit 3; }
for tool in nginx h2load openssl taskset ss python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "$0: $tool is missing; run scripts/install-deps" >&2; exit 3; }
done

log() { echo "[bench] $*" >&2; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tlsprobe=$repo/build/release/cli/tlsprobe
# Figures come from the optimised build only; building is a no-op when it is current.
if [[ ! -f $repo/build/release/CMakeCache.txt ]]; then
  log "configuring the release preset"
  (cd "$repo" && cmake --preset release >/dev/null)
fi
(cd "$repo" && cmake --build --preset release --target tlsprobe -j2 >/dev/null)

work=$(mktemp -d /tmp/tlsprobe-bench.XXXXXX)
nginx_pid=
holder_pid=
client_pid=
cleanup() {
  local pid
  if [[ -n $client_pid ]]; then
    # /usr/bin/time's child is timeout(1), which passes TERM on to the client.
    for pid in $(ps -o pid= --ppid "$client_pid"); do
      kill -TERM "$pid" 2>/dev/null || true
    done
    wait "$client_pid" 2>/dev/null || true
  fi
  for pid in "$holder_pid" "$nginx_pid"; do
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

client_cpu=()
server_cpu=()
if ((pin)); then
  client_cpu=(taskset -c 0)
  server_cpu=(taskset -c 1)
fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- a throwaway CA and an ECDSA P-256 server certificate for 127.0.0.1 ---
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=tlsprobe-bench-ca -addext basicConstraints=critical,CA:TRUE \
  -addext keyUsage=critical,keyCertSign -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -subj /CN=127.0.0.1 -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' \
  >"$work/server.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
  -days 1 -extfile "$work/server.ext" -out "$work/server.pem" 2>/dev/null

# --- one nginx, one worker: TLS 1.3 full, TLS 1.2 full, TLS 1.3 resumed ---
port=$(free_port)
port12=$(free_port)
port_resumed=$(free_port)
status_port=$(free_port)
mkdir -p "$work/nginx-tmp"
cat >"$work/nginx.conf" <<EOF
worker_processes 1;
worker_rlimit_nofile 20000;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 16384; }
http {
    access_log off;
    client_body_temp_path $work/nginx-tmp/body;
    proxy_temp_path $work/nginx-tmp/proxy;
    server {
        listen 127.0.0.1:$port ssl backlog=4096;
        ssl_certificate $work/server.pem;
        ssl_certificate_key $work/server.key;
        ssl_protocols TLSv1.3;
        ssl_ecdh_curve X25519;
        ssl_session_cache off;
        ssl_session_tickets off;
        location / { return 200 "ok\n"; }
    }
    server {
        listen 127.0.0.1:$port12 ssl backlog=4096;
        ssl_certificate $work/server.pem;
        ssl_certificate_key $work/server.key;
        ssl_protocols TLSv1.2;
        ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256;
        ssl_ecdh_curve X25519;
        ssl_session_cache off;
        ssl_session_tickets off;
        location / { return 200 "ok\n"; }
    }
    # Resumption by session ticket; each request's line says whether it was resumed ("r") or not (".").
    log_format reused '\$ssl_session_reused';
    server {
        listen 127.0.0.1:$port_resumed ssl backlog=4096;
        ssl_certificate $work/server.pem;
        ssl_certificate_key $work/server.key;
        ssl_protocols TLSv1.3;
        ssl_ecdh_curve X25519;
        ssl_session_tickets on;
        access_log $work/resumed.log reused;
        location / { return 200 "ok\n"; }
    }
    # Plain HTTP, for the connection counters only.
    server {
        listen 127.0.0.1:$status_port;
        location = /status { stub_status; }
    }
}
EOF
"${server_cpu[@]}" nginx -p "$work" -c "$work/nginx.conf" -g 'daemon off;' 2>>"$work/nginx-error.log" &
nginx_pid=$!

# "accepts requests" of nginx's stub_status; the reading itself counts one of each.
nginx_counters() {
  local reply
  exec 3<>"/dev/tcp/127.0.0.1/$status_port"
  printf 'GET /status HTTP/1.0\r\n\r\n' >&3
  reply=$(cat <&3)
  exec 3<&-
  awk '/server accepts handled requests/ { getline; print $1, $3 }' <<<"$reply"
}

listening() {
  ss -Hltn "( sport = :$port or sport = :$port12 or sport = :$port_resumed or sport = :$status_port )" | wc -l
}
for _ in $(seq 50); do
  (($(listening) == 4)) && break
  kill -0 "$nginx_pid" 2>/dev/null || { echo "$0: nginx exited" >&2; cat "$work/nginx-error.log" >&2; exit 3; }
  sleep 0.1
done
(($(listening) == 4)) || { echo "$0: nginx did not come up" >&2; cat "$work/nginx-error.log" >&2; exit 3; }
touch "$work/resumed.log"
log "nginx on 127.0.0.1:$port (TLS 1.3), :$port12 (TLS 1.2), :$port_resumed (resumption) (pid $nginx_pid)," \
  "status on $status_port"

ports="20000-$((20000 + count - 1))"
results=$work/results.tsv
printf 'round\tkind\tclient\thandshakes\twall_s\tspan_s\tcpu_s\tresumed\n' >"$results"

# Runs one client under /usr/bin/time; appends a line to $results.
# $1 round, $2 kind of handshake, $3 client name, rest: the command.
measure() {
  local round=$1 kind=$2 client=$3
  shift 3
  local before after wall user sys accepts requests handshakes span log_before resumed
  before=$(nginx_counters)
  log_before=$(wc -l <"$work/resumed.log")
  # In the background so that a signal to this script is handled at once.
  /usr/bin/time -f '%e %U %S' -o "$work/time.txt" timeout "$client_timeout_s" "${client_cpu[@]}" "$@" \
    >"$work/client.out" 2>&1 &
  client_pid=$!
  wait "$client_pid" || true
  client_pid=
  after=$(nginx_counters)
  resumed=$(tail -n +"$((log_before + 1))" "$work/resumed.log" | grep -c '^r$' || true)
  read -r wall user sys <"$work/time.txt"
  accepts=$(($(cut -d' ' -f1 <<<"$after") - $(cut -d' ' -f1 <<<"$before") - 1))
  requests=$(($(cut -d' ' -f2 <<<"$after") - $(cut -d' ' -f2 <<<"$before") - 1))
  case $client in
    h2load)
      # "requests: 5000 total, 5000 started, 5000 done, 5000 succeeded, 0 failed, ..."
      handshakes=$(awk '/^requests:/ { print $8 }' "$work/client.out")
      # "finished in 2.03s, 2461.62 req/s, ...": from the first connect to the last response.
      span=$(sed -nE 's/^finished in ([0-9.]+)(m?s),.*/\1 \2/p' "$work/client.out" |
        awk '{ print $2 == "ms" ? $1 / 1000 : $1 }')
      ;;
    *)
      handshakes=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["outcomes"]["ok"])' \
        "$work/run/summary.json" 2>/dev/null || echo 0)
      # The same span from the records: first connect(2) to last close.
      span=$(python3 -c '
import json, sys
records = [json.loads(line) for line in open(sys.argv[1])]
print(round((max(r["t_closed"] for r in records) - min(r["t_connect_start"] for r in records)) / 1e9, 3))' \
        "$work/run/probes.jsonl" 2>/dev/null || echo 0)
      rm -rf "$work/run"
      ;;
  esac
  # Every success must be its own connection and full handshake.
  if [[ $handshakes != "$count" || $accepts != "$count" || $requests != "$count" ]]; then
    log "round $round $kind $client: $handshakes succeeded, nginx saw $accepts connections and $requests requests," \
      "expected $count of each; client output:"
    tail -n 20 "$work/client.out" >&2
    exit 1
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$kind" "$client" "$handshakes" "$wall" "$span" \
    "$(python3 -c 'import sys; print(float(sys.argv[1]) + float(sys.argv[2]))' "$user" "$sys")" "$resumed" \
    >>"$results"
  log "round $round $kind $client: $handshakes handshakes ($resumed resumed) in ${span} s (process ${wall} s)," \
    "cpu user ${user} s + sys ${sys} s"
}

# $1 kind: the nginx port and the extra tlsprobe flags of that kind of handshake.
kind_port() {
  case $1 in
    tls13) echo "$port" ;;
    tls12) echo "$port12" ;;
    resumed) echo "$port_resumed" ;;
  esac
}
kind_flags() {
  case $1 in
    tls12) echo "--tls-version 1.2" ;;
    resumed) echo "--resume" ;;
  esac
}

# No client run may take longer than this, whatever happens to nginx.
client_timeout_s=300
log "$rounds rounds of $count handshakes at concurrency $concurrency"
for round in $(seq "$rounds"); do
  for kind in tls13 tls12 resumed; do
    target=127.0.0.1:$(kind_port "$kind")
    read -ra flags <<<"$(kind_flags "$kind")"
    measure "$round" "$kind" tlsprobe "$tlsprobe" run --target "$target" --request http --count "$count" \
      --rate 0 --allow-high-load --concurrency "$concurrency" --workers 1 --ports "$ports" \
      --ca-file "$work/ca.pem" "${flags[@]}" --out "$work/run"
    measure "$round" "$kind" h2load h2load --h1 -H 'Connection: close' -n "$count" -c "$concurrency" -t 1 \
      "https://$target/"
    measure "$round" "$kind" tlsprobe_insecure "$tlsprobe" run --target "$target" --request http \
      --count "$count" --rate 0 --allow-high-load --concurrency "$concurrency" --workers 1 --ports "$ports" \
      --insecure "${flags[@]}" --out "$work/run"
  done
done

# --- memory: hold K established connections at once ---
# Runs one holding tlsprobe in the background and samples its VmRSS and the
# client-side established connections to nginx every 0.25 s. Sets
# plateau_kib (largest VmRSS while all K were established) and hwm_kib (VmHWM).
# $1 connections to hold.
held_rss() {
  local connections=$1
  local ramp_s=$(((connections + hold_rate - 1) / hold_rate))
  local hold_s=$((ramp_s + 8))
  local deadline=$((SECONDS + hold_s + ramp_s + 30))
  local established rss
  plateau_kib=0
  hwm_kib=0
  rm -rf "$work/hold"
  "${client_cpu[@]}" "$tlsprobe" run --target "127.0.0.1:$port" --ca-file "$work/ca.pem" --request none \
    --hold "$hold_s" --count "$connections" --concurrency "$connections" --rate "$hold_rate" --allow-high-load \
    --workers 1 --ports "$((20000 - connections))-19999" --connect-timeout 10 --handshake-timeout 20 \
    --out "$work/hold" >"$work/hold.out" 2>&1 &
  holder_pid=$!
  while kill -0 "$holder_pid" 2>/dev/null && ((SECONDS < deadline)); do
    established=$(ss -Htn state established "( dport = :$port and sport >= :5000 and sport <= :19999 )" | wc -l)
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$holder_pid/status" 2>/dev/null || echo 0)
    hwm_kib=$(awk '/^VmHWM:/ { print $2 }' "/proc/$holder_pid/status" 2>/dev/null || echo "$hwm_kib")
    if ((established == connections && rss > plateau_kib)); then
      plateau_kib=$rss
    fi
    sleep 0.25
  done
  if kill -0 "$holder_pid" 2>/dev/null; then
    kill -TERM "$holder_pid"
  fi
  local status=0
  wait "$holder_pid" || status=$?
  holder_pid=
  local held_ok
  held_ok=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["outcomes"]["ok"])' \
    "$work/hold/summary.json" 2>/dev/null || echo 0)
  if ((status != 0 || plateau_kib == 0 || held_ok != connections)); then
    log "holding $connections connections failed (exit $status, plateau seen: $plateau_kib KiB); tlsprobe said:"
    tail -n 20 "$work/hold.out" >&2
    exit 1
  fi
  # The most handshakes in flight at once during the ramp (connect to
  # handshake done, from the records). Each holds about 25 KiB of OpenSSL's
  # transient handshake state (21 KiB of it the handshake buffer);
  # when the server falls behind and thousands pile up, the memory they free
  # stays interleaved with the held connections' and the plateau rises.
  ramp_in_flight=$(python3 -c '
import json, sys
events = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    if "t_handshake_done" in r:
        events += [(r["t_connect_start"], 1), (r["t_handshake_done"], -1)]
now = most = 0
for _, step in sorted(events):
    now += step
    most = max(most, now)
print(most)' "$work/hold/probes.jsonl")
}

if ((memory)); then
  log "holding 1 connection (baseline), then $hold_connections at $hold_rate/s"
  held_rss 1
  baseline_rss=$plateau_kib
  held_rss "$hold_connections"
  held_rss_kib=$plateau_kib
  held_hwm=$hwm_kib
  log "VmRSS with 1 held: $baseline_rss KiB; with $hold_connections held: $held_rss_kib KiB (VmHWM $held_hwm KiB," \
    "at most $ramp_in_flight handshakes in flight during the ramp)"
fi

# --- the Markdown section ---
export rounds count concurrency hold_connections hold_rate memory pin command_line
export baseline_rss=${baseline_rss:-} held_rss_kib=${held_rss_kib:-} held_hwm=${held_hwm:-} ramp_in_flight=${ramp_in_flight:-}
cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
cpus=$(nproc)
kernel=$(uname -r)
load=$(cut -d' ' -f1-3 /proc/loadavg)
openssl_version=$(openssl version)
nginx_version=$(nginx -v 2>&1 | sed 's/^nginx version: //')
h2load_version=$(h2load --version | head -n 1)
tlsprobe_version=$("$tlsprobe" --version)
export cpu_model cpus kernel load openssl_version nginx_version h2load_version tlsprobe_version
python3 - "$results" <<'PY'
import csv, os, statistics, sys

env = os.environ
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
kinds = {
    "tls13": "TLS 1.3 full",
    "tls12": "TLS 1.2 full",
    "resumed": "TLS 1.3 resumed",
}
clients = ["tlsprobe", "tlsprobe_insecure", "h2load"]
labels = {
    "tlsprobe": "tlsprobe run (verifying, `--ca-file`)",
    "tlsprobe_insecure": "tlsprobe run `--insecure`",
    "h2load": "h2load (does not verify)",
}
cpu_us, rate, resumed = {}, {}, {}
for kind in kinds:
    for client in clients:
        mine = [r for r in rows if r["kind"] == kind and r["client"] == client]
        cpu_us[kind, client] = statistics.median(float(r["cpu_s"]) * 1e6 / int(r["handshakes"]) for r in mine)
        rate[kind, client] = statistics.median(int(r["handshakes"]) / float(r["span_s"]) for r in mine)
        resumed[kind, client] = statistics.median(int(r["resumed"]) / int(r["handshakes"]) for r in mine)

print("## Prober vs h2load\n")
print(f"Machine: {env['cpus']} CPUs, {env['cpu_model']}, Linux {env['kernel']}; "
      f"load average {env['load']} when the run ended. The machine is shared with other "
      "builds and tests, so the figures are noisy; the rounds alternate the clients so "
      "that noise falls on all of them alike.")
print(f"Software: {env['openssl_version']}, {env['nginx_version']}, {env['h2load_version']}; "
      f"{env['tlsprobe_version']} (release build, mimalloc).\n")
print(f"Reproduce (as root, from the repository): `{env['command_line']}`\n")
pin = ("client pinned to CPU 0 and nginx to CPU 1 with `taskset`"
       if env["pin"] == "1" else "no CPU pinning")
print(f"One nginx (1 worker, X25519, ECDSA P-256 certificate) on 127.0.0.1 with three servers: "
      "TLS 1.3 only without session cache or tickets (full handshakes), TLS 1.2 only "
      "(ECDHE-ECDSA-AES128-GCM-SHA256) without cache or tickets, and TLS 1.3 with session "
      f"tickets (resumed handshakes: `tlsprobe run --resume`; h2load resumes on its own); {pin}. "
      f"Each client run makes {env['count']} requests at concurrency {env['concurrency']} on one "
      "thread (`tlsprobe run --workers 1 --rate 0 --request http`, `h2load --h1 -H 'Connection: "
      "close' -t 1`), each on a fresh connection: the script checks that the client reports every "
      "request succeeded and that nginx's counters grew by exactly that many connections and "
      "requests, and counts the handshakes nginx resumed (`$ssl_session_reused`). tlsprobe runs "
      "with its phase timing, TCP_INFO snapshots and per-probe records on, as always. Client CPU "
      "is user+sys of the client process (from `/usr/bin/time`), process start and exit included. "
      "Handshakes per second are over each client's own span from its first connect to its last "
      "response: h2load's \"finished in\", and for tlsprobe the first `t_connect_start` to the "
      "last `t_closed` of its records.\n")
print(f"Medians over {env['rounds']} rounds; in each round the clients ran one after the other "
      "(tlsprobe verifying, h2load, tlsprobe `--insecure`) for each kind of handshake:\n")
print("| handshake | client | CPU µs per handshake | handshakes/s | resumed | CPU ratio to h2load | "
      "rate ratio to h2load |")
print("|---|---|---:|---:|---:|---:|---:|")
for kind, kind_label in kinds.items():
    for client in clients:
        print(f"| {kind_label} | {labels[client]} | {cpu_us[kind, client]:.0f} | {rate[kind, client]:.0f} | "
              f"{100 * resumed[kind, client]:.0f}% | {cpu_us[kind, client] / cpu_us[kind, 'h2load']:.2f} | "
              f"{rate[kind, client] / rate[kind, 'h2load']:.2f} |")


def ratio(kind, client):
    return cpu_us[kind, client] / cpu_us[kind, "h2load"]


verdict = "met" if ratio("tls13", "tlsprobe") <= 0.9 else (
    "met with `--insecure` only" if ratio("tls13", "tlsprobe_insecure") <= 0.9 else "not met")
print(f"\nTarget: tlsprobe's client CPU per full TLS 1.3 handshake at most 0.9 of h2load's. "
      f"Measured {ratio('tls13', 'tlsprobe'):.2f} verifying (which h2load does not do), "
      f"{ratio('tls13', 'tlsprobe_insecure'):.2f} with `--insecure`: **{verdict}**. "
      f"TLS 1.2 full: {ratio('tls12', 'tlsprobe'):.2f} verifying, {ratio('tls12', 'tlsprobe_insecure'):.2f} "
      f"`--insecure`. Resumed: {ratio('resumed', 'tlsprobe'):.2f} and "
      f"{ratio('resumed', 'tlsprobe_insecure'):.2f} (tlsprobe resumed "
      f"{100 * resumed['resumed', 'tlsprobe']:.0f}% of its handshakes, h2load "
      f"{100 * resumed['resumed', 'h2load']:.0f}%).\n")
print("Per round (CPU µs per handshake / handshakes per s):\n")
print("| round | handshake | " + " | ".join(clients) + " |")
print("|---|---|" + "---:|" * len(clients))
for round_ in sorted({int(r["round"]) for r in rows}):
    for kind, kind_label in kinds.items():
        cells = []
        for client in clients:
            r = next(r for r in rows if int(r["round"]) == round_ and r["kind"] == kind and r["client"] == client)
            cells.append(f"{float(r['cpu_s']) * 1e6 / int(r['handshakes']):.0f} / "
                         f"{int(r['handshakes']) / float(r['span_s']):.0f}")
        print(f"| {round_} | {kind_label} | " + " | ".join(cells) + " |")
if env["memory"] == "1":
    base, held, hwm = int(env["baseline_rss"]), int(env["held_rss_kib"]), int(env["held_hwm"])
    n = int(env["hold_connections"])
    per = (held - base) / (n - 1)
    print(f"\nMemory: one `tlsprobe run --request none --hold S --count {n} --concurrency {n} "
          f"--rate {env['hold_rate']} --workers 1` holding {n} established TLS 1.3 connections "
          f"to the same nginx at once (counted with `ss`), against the same command with "
          f"`--count 1`.\n")
    print("| | VmRSS KiB |")
    print("|---|---:|")
    print(f"| holding 1 connection | {base} |")
    print(f"| holding {n} connections (plateau) | {held} |")
    print(f"| peak (VmHWM) of the {n}-connection run | {hwm} |")
    print(f"| **per held connection** | **{per:.1f}** |")
    print(f"\nTarget: 15,000 connections at most 24 KiB resident each: "
          f"**{'met' if per <= 24 and n >= 15000 else 'not met'}** ({per:.1f} KiB at {n}). "
          "Kernel socket buffers are not in the process's RSS and are not counted. "
          f"At most {env['ramp_in_flight']} handshakes were in flight at once during the ramp "
          "(from the records: connect to handshake done). The plateau depends on it: each "
          "handshake in flight holds about 25 KiB of OpenSSL's transient state, and when the "
          "server falls behind and thousands pile up, the memory they free stays interleaved "
          "with the held connections' and is not returned (see \"Held connections under load\" "
          "below the generated section).")
PY
