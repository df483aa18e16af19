#!/usr/bin/env bash
# End-to-end checks against the real tools, from Debian's packages: promtool, a running salescast, a real
# Prometheus scraping it, and Chromium driving the dashboard. Run by .ci/run after `npm ci`, as root on a
# fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

# The Debian packages the tests in test/e2e need; a fresh machine has none of them.
E2E_PACKAGES=(
  prometheus # prometheus and promtool
  chromium   # the dashboard's browser tests (playwright-core drives /usr/bin/chromium)
)
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${E2E_PACKAGES[@]}" >/dev/null

# Not a test: the compose file's own check, where a docker client with the compose plugin exists (it needs
# no engine). Elsewhere it is skipped, and says so.
if docker compose version >/dev/null 2>&1; then
  docker compose -f deploy/docker-compose.yml config --quiet
  echo "docker compose config: deploy/docker-compose.yml is valid"
  # The cluster's file requires PostgreSQL's password from deploy/cluster/.env; any value does for the check.
  SALESCAST_DB_PASSWORD=config-check docker compose -f deploy/cluster/docker-compose.yml config --quiet
  echo "docker compose config: deploy/cluster/docker-compose.yml is valid"
else
  echo "note: skipped 'docker compose config' on deploy/docker-compose.yml and deploy/cluster/docker-compose.yml: no docker client with compose here"
fi

npm run test:e2e
