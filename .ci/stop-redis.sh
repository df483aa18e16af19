#!/usr/bin/env bash
# Stops the Redis that .ci/start-redis.sh started in <folder> as a shutdown does (the append-only file
# flushed), and waits until it is gone; the folder and its data stay, for a restart or removal.
set -euo pipefail
data=${1:?usage: stop-redis.sh <folder>}
port=$(cat "$data/port")
redis-cli -p "$port" shutdown >/dev/null 2>&1 || true
for _ in $(seq 100); do
  redis-cli -p "$port" ping >/dev/null 2>&1 || exit 0
  sleep 0.1
done
echo "Redis on port $port did not stop" >&2
exit 1
