#!/usr/bin/env bash
# A throwaway TLS server on loopback for the capture oracle test and the
# capture benchmark: nginx with a fresh self-signed certificate on a free
# 127.0.0.1 port, everything under DIR.
#   loopback_nginx.sh start DIR [WORKERS]   -> prints the port (also in DIR/port)
#   loopback_nginx.sh stop DIR
# nginx binds its listening socket before it daemonizes, so the port accepts
# connections as soon as `start` returns.
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?directory}
case "$cmd" in
start)
  workers=${3:-1}
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=tlsprobe.test -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  cat >"$dir/nginx.conf" <<CONF
worker_processes $workers;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $dir/tmp;
  proxy_temp_path $dir/tmp;
  fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp;
  scgi_temp_path $dir/tmp;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port ssl http2;
    ssl_certificate $dir/cert.pem;
    ssl_certificate_key $dir/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / { return 200 "ok\n"; }
  }
}
CONF
  mkdir -p "$dir/tmp"
  nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log"
  echo "$port" >"$dir/port"
  echo "$port"
  ;;
stop)
  if [[ -f "$dir/nginx.pid" ]]; then
    kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
  fi
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
