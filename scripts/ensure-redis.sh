#!/bin/sh
# A Redis on 127.0.0.1:6379 for the tests that use one (the shared cache and sessions of several
# app servers): Debian's redis-server, installed when missing and we may (root with apt), and
# started when nothing answers there (CI machines run no service manager). Exits non-zero when
# no Redis answers in the end.
set -u
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's redis-server..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "error: redis-server is missing; install it with: sudo apt-get install redis-server" >&2
    exit 1
  fi
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "Starting redis-server on 127.0.0.1:6379"
  # A cache: nothing written to disk.
  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" --appendonly no >/dev/null
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
    sleep 0.5
  done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "error: no Redis answers on 127.0.0.1:6379" >&2
  exit 1
fi
