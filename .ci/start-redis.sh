#!/usr/bin/env bash
# Starts a throwaway Redis on 127.0.0.1 for the cluster tests: Debian's redis-server with its append-only
# file on (so a restart keeps the queue), no eviction (BullMQ's keys must never be dropped), in <folder>.
# Usage: url=$(bash .ci/start-redis.sh <folder> [port]) prints the URL; a free port unless one is given (a
# restart passes the old one); .ci/stop-redis.sh <folder> stops it, keeping the folder's data.
set -euo pipefail
data=${1:?usage: start-redis.sh <folder> [port]}
if ! command -v redis-server >/dev/null; then
  echo "redis-server not found: install Debian's package: apt-get install -y redis-server" >&2
  exit 1
fi
port=${2:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
mkdir -p "$data"
redis-server --bind 127.0.0.1 --port "$port" --dir "$data" --appendonly yes --appendfsync always \
  --save "" --maxmemory-policy noeviction --daemonize yes --pidfile "$data/redis.pid" \
  --logfile "$data/redis.log" >/dev/null
for _ in $(seq 50); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
redis-cli -p "$port" ping >/dev/null
echo "$port" >"$data/port"
echo "Redis in $data on 127.0.0.1:$port" >&2
echo "redis://127.0.0.1:$port"
