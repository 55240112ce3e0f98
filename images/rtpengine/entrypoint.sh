#!/bin/bash
# rtpengine in the foreground. RTPENGINE_DTMF_LOG_DEST may name a Service (host:port): rtpengine
# wants an address, so the name is resolved here, once, at start. The audio player's buffer and
# start delay default as in bin/rtpengine-daemon (rtpengine/README.md, "Audio player underruns").
set -euo pipefail
iface=${RTPENGINE_INTERFACE:?RTPENGINE_INTERFACE (address to bind media and ng on) is required}
dest=${RTPENGINE_DTMF_LOG_DEST:?RTPENGINE_DTMF_LOG_DEST (host:port of the service DTMF log) is required}
host=${dest%:*}
if ! [[ $host =~ ^[0-9.]+$ ]]; then
  for _ in $(seq 1 60); do
    ip=$(getent ahostsv4 "$host" | awk 'NR==1{print $1}') && [ -n "$ip" ] && break
    sleep 1
  done
  [ -n "${ip:-}" ] || { echo "callsup-rtpengine: cannot resolve $host" >&2; exit 1; }
  dest=$ip:${dest##*:}
fi
exec rtpengine --config-file=none -i "$iface${RTPENGINE_ADVERTISE:+!$RTPENGINE_ADVERTISE}" \
  -n "${RTPENGINE_NG_ADDR:-$iface}:${RTPENGINE_NG_PORT:-22222}" \
  --port-min="${RTPENGINE_PORT_MIN:-30000}" --port-max="${RTPENGINE_PORT_MAX:-40000}" \
  -f -E --log-stderr --log-level="${RTPENGINE_LOG_LEVEL:-6}" --table=-1 \
  --audio-player=on-demand \
  --audio-buffer-length="${RTPENGINE_AUDIO_BUFFER_LENGTH:-140}" --audio-buffer-delay="${RTPENGINE_AUDIO_BUFFER_DELAY:-40}" \
  --dtmf-no-suppress --dtmf-log-dest="$dest"
