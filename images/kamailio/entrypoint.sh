#!/bin/bash
# Kamailio in the foreground: the configuration the host script would write, then exec.
# KAMAILIO_SERVICE_HOST may be a name (a Service): it goes into the service URL as it is.
set -euo pipefail
run=${KAMAILIO_RUN_DIR:-/run/kamailio}
mkdir -p "$run"
cp -f "$KAMAILIO_CFG" "$run/kamailio.cfg"
(umask 077; /usr/local/bin/kamailio-ctl print-local >"$run/kamailio-local.cfg")
# The dialog, usrloc and presence modules refuse to start without their tables (the service's
# migrations V30, V35): wait for them instead of crash-looping while the first service replica migrates.
for i in $(seq 1 "${KAMAILIO_DB_WAIT:-300}"); do
  psql -qAt "${KAMAILIO_DB_URL:?}" -c 'SELECT 1 FROM dialog, pua LIMIT 0' >/dev/null 2>&1 && break
  [ "$i" -gt 1 ] || echo "callsup-kamailio: waiting for the service's migrations (tables dialog, pua)" >&2
  sleep 1
done
exec kamailio -f "$run/kamailio.cfg" -Y "$run" -w "$run" -P "$run/kamailio.pid" \
  -m "${KAMAILIO_SHM_MB:-64}" -M "${KAMAILIO_PKG_MB:-8}" -DD -E
