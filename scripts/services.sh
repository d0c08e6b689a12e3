#!/usr/bin/env bash
# Makes sure Redis (127.0.0.1:6379) and PostgreSQL (127.0.0.1:5432, trust auth, database "test") are running
# for the test suite: starts them if installed, installs them from Debian's packages if not.
# Usage: bash scripts/services.sh up
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

wait_port() {
  for _ in $(seq 1 50); do port_open "$1" && return 0; sleep 0.2; done
  echo "services: nothing listens on 127.0.0.1:$1 after starting $2" >&2
  return 1
}

redis_up() {
  port_open 6379 && { echo "services: redis already running"; return; }
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /tmp
  wait_port 6379 redis && echo "services: redis started"
}

postgres_up() {
  port_open 5432 && { echo "services: postgresql already running"; return; }
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    apt_install postgresql
  fi
  local version
  version=$(ls /etc/postgresql | sort -V | tail -1)
  # Trust auth on loopback, as the tests expect (a throwaway CI database, never a production setting).
  local hba="/etc/postgresql/$version/main/pg_hba.conf"
  if ! grep -q "switchyard-ci" "$hba"; then
    as_root sed -i '1i host all all 127.0.0.1/32 trust # switchyard-ci\nhost all all ::1/128 trust # switchyard-ci\nlocal all all trust # switchyard-ci' "$hba"
  fi
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_port 5432 postgresql
  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test" >/dev/null
  echo "services: postgresql started"
}

case "${1:-up}" in
  up) redis_up; postgres_up ;;
  *) echo "usage: $0 up" >&2; exit 2 ;;
esac
