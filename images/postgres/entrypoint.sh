#!/bin/bash
# First start: initdb, then the service's role and database plus Kamailio's (both from the
# environment); every start: postgres in the foreground on POSTGRES_LISTEN.
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
data=${PGDATA:-/var/lib/postgresql/data/pgdata}
listen=${POSTGRES_LISTEN:-0.0.0.0}
port=${POSTGRES_PORT:-5432}
if [ ! -s "$data/PG_VERSION" ]; then
  # Initialised beside the final place and moved there only when complete: a restart half-way
  # must not find a cluster without its roles.
  init=$data.init
  rm -rf "$init"; mkdir -p "$init"; chmod 0700 "$init"
  pw=$(mktemp); printf '%s\n' "${POSTGRES_SUPERUSER_PASSWORD:?}" >"$pw"
  # Over TCP a password; on the pod-private Unix socket, only this OS user as "postgres".
  "$bin/initdb" -D "$init" -U postgres --pwfile="$pw" --auth-host=scram-sha-256 --auth-local=peer --no-sync >/dev/null
  rm -f "$pw"
  echo "host all all 0.0.0.0/0 scram-sha-256" >>"$init/pg_hba.conf"
  "$bin/pg_ctl" -D "$init" -o "-c listen_addresses='' -k /run/postgresql" -w start >/dev/null
  psql() { command psql -v ON_ERROR_STOP=1 -h /run/postgresql -U postgres -d postgres -q "$@"; }
  psql -v u="${CALLSUP_DB_USER:?}" -v p="${CALLSUP_DB_PASSWORD:?}" -v d="${CALLSUP_DB_NAME:-callsup}" \
       -v ku="${KAMAILIO_DB_USER:?}" -v kp="${KAMAILIO_DB_PASSWORD:?}" <<'SQL'
CREATE ROLE :"u" LOGIN PASSWORD :'p';
CREATE DATABASE :"d" OWNER :"u";
-- Kamailio reads accounts and keeps dialogs/registrations in the service's schema (migration V30).
CREATE ROLE :"ku" LOGIN PASSWORD :'kp';
SQL
  "$bin/pg_ctl" -D "$init" -m fast -w stop >/dev/null
  rm -rf "$data"; mv "$init" "$data"
fi
exec "$bin/postgres" -D "$data" -c listen_addresses="$listen" -p "$port" -k /run/postgresql -c fsync=on
