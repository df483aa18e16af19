#!/usr/bin/env bash
# Stops the PostgreSQL that .ci/start-postgres.sh started in <folder>, and removes the folder.
set -euo pipefail
data=${1:?usage: stop-postgres.sh <folder>}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
run_as=()
[[ $(id -u) -eq 0 ]] && run_as=(runuser -u salescast-pg --)
"${run_as[@]}" "$bin/pg_ctl" -D "$data/db" -m fast -w stop >/dev/null
rm -rf "$data"
