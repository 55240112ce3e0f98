#!/usr/bin/env bash
# Run the mix-buffer reproduction N times against a private daemon started from
# $RTPENGINE_ROOT (default: the provisioned chroot) with bin/rtpengine-daemon, restarting
# it after each abort. For an unfixed daemon set RTPENGINE_ALLOW_UNFIXED=1.
# Usage: repro-batch.sh RUNS MODE [extra args for repro_mix_overflow.py]
# e.g.   RTPENGINE_ALLOW_UNFIXED=1 RTPENGINE_ROOT=/tmp/unfixed-root \
#          rtpengine/repro-batch.sh 8 stall --rounds 30 --stall-ms 40-150 --gap-ms 200
#        rtpengine/repro-batch.sh 6 inject --rounds 15 --gap-ms 100 --load-stall-ms 20-60
# An aborting daemon dumps a ~350 MB `core` into the chroot's root; the ones this run
# caused are deleted.
set -u
here=$(cd "$(dirname "$0")" && pwd)
runs=$1 mode=$2; shift 2
: "${DAEMON:=$here/../bin/rtpengine-daemon}"
export RTPENGINE_NG_PORT=${RTPENGINE_NG_PORT:-22950} RTPENGINE_PORT_MIN=${RTPENGINE_PORT_MIN:-38000}
export RTPENGINE_PORT_MAX=${RTPENGINE_PORT_MAX:-38499} RTPENGINE_DTMF_LOG_DEST=${RTPENGINE_DTMF_LOG_DEST:-127.0.0.1:22951}
export RTPENGINE_ROOT=${RTPENGINE_ROOT:-${CALLSUP_HOME:-/var/lib/callsup}/rtpengine-root}
export RTPENGINE_RUN_DIR=${RTPENGINE_RUN_DIR:-${CALLSUP_HOME:-/var/lib/callsup}/run/rtpengine-repro}
mkdir -p "$RTPENGINE_RUN_DIR"; stamp=$RTPENGINE_RUN_DIR/.start; touch "$stamp"
died=0 tones_bad=0 asserts=0
"$DAEMON" stop >/dev/null; "$DAEMON" start >/dev/null || exit 1
echo "daemon: $(chroot "$RTPENGINE_ROOT" rtpengine --version 2>&1 | tr -d '\n')"
for ((i = 1; i <= runs; i++)); do
  pid=$(cat "$RTPENGINE_RUN_DIR/rtpengine.pid")
  out=$(timeout 300 python3 "$here/repro_mix_overflow.py" --ng-port "$RTPENGINE_NG_PORT" --pid "$pid" --mode "$mode" "$@" 2>&1); rc=$?
  echo "run $i: rc=$rc $(grep '^stress' <<<"$out")"
  [ $rc -eq 2 ] && { tones_bad=$((tones_bad + 1)); grep '^  ' <<<"$out"; }
  if [ $rc -eq 1 ] || ! "$DAEMON" status >/dev/null; then
    died=$((died + 1))
    grep -q 'Assertion' "$RTPENGINE_RUN_DIR/rtpengine.log" && asserts=$((asserts + 1))
    grep -h 'Assertion' "$RTPENGINE_RUN_DIR/rtpengine.log" | sed 's/^/    /'
    find "$RTPENGINE_ROOT" -maxdepth 1 -name core -type f -newer "$stamp" -delete
    "$DAEMON" stop >/dev/null
    for ((w = 0; w < 100; w++)); do ss -Hlnu "sport = :$RTPENGINE_NG_PORT" | grep -q . || break; sleep 0.1; done
    "$DAEMON" start >/dev/null || exit 1
  fi
done
echo "summary: mode=$mode runs=$runs daemon_died=$died (assertion=$asserts) wrong_tones=$tones_bad"
"$DAEMON" stop >/dev/null
