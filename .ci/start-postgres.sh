#!/usr/bin/env bash
# Starts a throwaway PostgreSQL on 127.0.0.1 for the cluster tests: Debian's server binaries, run as an
# unprivileged user of its own (initdb refuses root), a fresh data folder under /tmp, a free port.
# Usage: url=$(bash .ci/start-postgres.sh [empty folder]) prints the connection URL; the folder (a new one
# under /tmp by default, named on stderr) holds the data and the log; .ci/stop-postgres.sh <folder> stops it.
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
  echo "PostgreSQL server binaries not found: install Debian's package: apt-get install -y postgresql" >&2
  exit 1
fi

run_as=()
if [[ $(id -u) -eq 0 ]]; then
  id salescast-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin salescast-pg
  run_as=(runuser -u salescast-pg --)
fi

data=${1:-$(mktemp -d /tmp/salescast-pg.XXXXXX)}
[[ ${#run_as[@]} -gt 0 ]] && chown salescast-pg "$data"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

"${run_as[@]}" "$bin/initdb" -D "$data/db" -U salescast --auth=trust --encoding=UTF8 --no-sync >"$data/initdb.log"
"${run_as[@]}" "$bin/pg_ctl" -D "$data/db" -l "$data/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off" start >/dev/null
"${run_as[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U salescast salescast

echo "PostgreSQL in $data on 127.0.0.1:$port" >&2
echo "postgres://salescast@127.0.0.1:$port/salescast"
