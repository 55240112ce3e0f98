#!/bin/bash
# Creates the broker instance once (persistent volume at /var/lib/artemis), then runs it.
set -euo pipefail
inst=/var/lib/artemis/instance
host=${ARTEMIS_HOST:-0.0.0.0}
if [ ! -x "$inst/bin/artemis" ]; then
  /opt/artemis/bin/artemis create --user "${ARTEMIS_USER:?}" --password "${ARTEMIS_PASSWORD:?}" --require-login \
    --host "$host" --http-host "${ARTEMIS_HTTP_HOST:-127.0.0.1}" --default-port "${ARTEMIS_PORT:-61616}" \
    --http-port "${ARTEMIS_HTTP_PORT:-8161}" --no-autotune --silent --force "$inst" >/dev/null
fi
exec "$inst/bin/artemis" run
