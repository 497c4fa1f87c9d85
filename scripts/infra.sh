#!/usr/bin/env bash
# Make sure PostgreSQL and RabbitMQ run on this machine; start them if they are stopped and fail
# with a clear message if they are missing.
set -euo pipefail

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "error: PostgreSQL is not installed (need pg_ctlcluster; Debian package postgresql)" >&2
  exit 1
fi
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "starting PostgreSQL $version …"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 60); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 0.5; done
  pg_isready -h 127.0.0.1 -p 5432 -q || { echo "error: PostgreSQL did not start on 127.0.0.1:5432" >&2; exit 1; }
fi

if ! command -v rabbitmq-server >/dev/null 2>&1; then
  echo "error: RabbitMQ is not installed (need rabbitmq-server; Debian package rabbitmq-server)" >&2
  exit 1
fi
if ! rabbitmqctl -q status >/dev/null 2>&1; then
  echo "starting RabbitMQ …"
  rabbitmq-server -detached
  rabbitmqctl -q --timeout 90 await_startup || { echo "error: RabbitMQ did not start" >&2; exit 1; }
fi
