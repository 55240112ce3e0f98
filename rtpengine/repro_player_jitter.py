#!/usr/bin/env python3
"""Issue 11's intermittent noise: what rtpengine's audio player does with a late sender.

One call on a running rtpengine (ng on 127.0.0.1): C offers, A answers, supervisor S published
with `audio player: force` and mixed in barge with the inject recipe (as repro_mix_overflow.py,
whose helpers this uses). A 700 Hz, C 1100 Hz, S 1700 Hz, 20 ms PCMU, each completing whole cycles
in 20 ms, so every received packet can be measured on its own: project it on the tones it should
carry and what is left is its noise. No CPU load is needed: the senders' lateness is injected.

  --late-ms L --every T   every T s one sender (--who, default A) stops for L ms, then sends the
                          packets it owes at once (as a fixed-rate timer catching up: the test
                          phones' ScheduledExecutorService under load)
  --jitter-ms J           every packet of every sender leaves up to J ms late (order kept)
  --stall-ms L --every T  SIGSTOP the daemon for L ms every T s (rtpengine itself late)

Prints per receiver: packets, noisy packets (residual above -40 dBFS), and how many 500 ms windows
would fail the tone matrix (tone less than 30 dB above the rest, 100 ms-block medians).
Usage: repro_player_jitter.py --ng-port 22330 --pid PID --seconds 20 --late-ms 30 --every 1
"""
import argparse, os, random, select, signal, sys, time
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from repro_mix_overflow import Ng, Party, ULAW2LIN  # noqa: E402

FS = 32768.0 * 32768.0 / 2
WANT = {"A": (1100, 1700), "C": (700, 1700), "S": (700, 1100)}

def residual_db(x, tones):
    n = len(x); t = np.arange(n) / 8000.0; r = x.astype(float).copy(); amps = []
    for f in tones:
        c, s = np.cos(2 * np.pi * f * t), np.sin(2 * np.pi * f * t)
        a, b = 2 * r.dot(c) / n, 2 * r.dot(s) / n
        r -= a * c + b * s; amps.append(np.hypot(a, b))
    return 10 * np.log10(max(np.mean(r * r), 1e-3) / FS), amps

def window_fails(x, tones):
    blocks = len(x) // 800; tone_p = [[] for _ in tones]; noise = []
    for k in range(blocks):
        b = x[k * 800:(k + 1) * 800].astype(float); tot = np.mean(b * b); rest = tot
        t = np.arange(800) / 8000.0
        for i, f in enumerate(tones):
            a = 2 * abs(np.sum(b * np.exp(-2j * np.pi * f * t))) / 800
            tone_p[i].append(a * a / 2); rest -= a * a / 2
        noise.append(max(rest, 1e-3))
    nz = np.median(noise)
    return any(10 * np.log10(max(np.median(p), 1e-3) / nz) < 30 for p in tone_p), \
        [round(10 * np.log10(max(np.median(p), 1e-3) / FS), 1) for p in tone_p], round(10 * np.log10(nz / FS), 1)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ng-port", type=int, default=22330)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--late-ms", type=float, default=0)
    ap.add_argument("--who", default="A")
    ap.add_argument("--every", type=float, default=1.0)
    ap.add_argument("--jitter-ms", type=float, default=0)
    ap.add_argument("--stall-ms", type=float, default=0)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    random.seed(a.seed)
    ng = Ng(a.ng_port)
    cid = "jitter-%d-%d" % (os.getpid(), random.randrange(1 << 20))
    A, C, S = Party("A"), Party("C"), Party("S")
    parties = [A, C, S]
    for attempt in range(5):  # a daemon just (re)started, on a loaded host, may miss the first
        try:
            r = ng.ok("offer", call_id=cid, from_tag="C", sdp=C.sdp()); break
        except TimeoutError:
            if attempt == 4: raise
    A.set_remote(r["sdp"])
    r = ng.ok("answer", call_id=cid, from_tag="C", to_tag="A", sdp=A.sdp()); C.set_remote(r["sdp"])
    r = ng.ok("publish", call_id=cid, from_tag="S", sdp=S.sdp(), flags=["bidirectional"],
              **{"audio player": "force"}); S.set_remote(r["sdp"])
    ng.ok("inject start", call_id=cid, to_tag="S", source_tag="A")
    ng.ok("inject start", call_id=cid, to_tag="S", source_tag="C")
    for f, t in (("C", "A"), ("A", "C")):
        ng.ok("connect", call_id=cid, from_tag=f, to_tag=t, flags=["directional"], **{"audio player": "force"})
    ng.ok("inject start", call_id=cid, to_tag="A", source_tag="S")
    ng.ok("inject start", call_id=cid, to_tag="C", source_tag="S")

    t0 = time.monotonic() + 0.05
    due = {p.name: 0 for p in parties}            # packets sent so far
    late_until = {p.name: 0.0 for p in parties}
    jit = {p.name: 0.0 for p in parties}
    next_late = t0 + 1.5 + a.every
    settle = t0 + 1.5
    end = settle + a.seconds
    marks = {}
    stalled_until = 0.0
    while True:
        now = time.monotonic()
        if now >= end: break
        if now >= settle and not marks:
            marks = {p.name: len(p.rx) for p in parties}
        if now >= next_late and now >= settle:
            next_late += a.every
            if a.late_ms:
                for p in parties:
                    if a.who == "all" or p.name == a.who:
                        late_until[p.name] = now + a.late_ms / 1000
            if a.stall_ms:
                os.kill(a.pid, signal.SIGSTOP); stalled_until = now + a.stall_ms / 1000
        if stalled_until and now >= stalled_until:
            os.kill(a.pid, signal.SIGCONT); stalled_until = 0.0
        for p in parties:
            while now >= late_until[p.name] and now >= t0 + due[p.name] * 0.020 + jit[p.name]:
                p.send(); due[p.name] += 1
                jit[p.name] = random.uniform(0, a.jitter_ms / 1000) if a.jitter_ms else 0.0
        nxt = min(t0 + due[p.name] * 0.020 + jit[p.name] for p in parties)
        wait = max(0.0, min(nxt, end) - time.monotonic())
        if stalled_until: wait = min(wait, max(0.0, stalled_until - time.monotonic()))
        rd, _, _ = select.select([p.sock for p in parties], [], [], wait)
        now = time.monotonic()
        for p in parties:
            if p.sock in rd: p.recv(now)
    if stalled_until: os.kill(a.pid, signal.SIGCONT)
    total_noisy = total_win = 0
    for p in parties:
        rx = p.rx[marks[p.name]:]
        tones = WANT[p.name]; noisy = 0; lines = []
        for i, (t, s) in enumerate(rx):
            if len(s) != 160: continue
            db, amps = residual_db(np.array(s), tones)
            if db > -40 or min(amps) < 4000:
                noisy += 1
                lines.append("  pkt %d at %.3f s: amps %s resid %.1f dBFS" % (i, t - settle, [round(x) for x in amps], db))
        x = np.array([v for _, s in rx for v in s])
        wins = 0
        for o in range(0, len(x) - 3999, 4000):
            bad, tdb, ndb = window_fails(x[o:o + 4000], tones)
            if bad:
                if a.verbose:
                    k0 = o // 160
                    ph = []
                    for k in range(k0, k0 + 25):
                        seg = x[k * 160:(k + 1) * 160].astype(float); tt = np.arange(160) / 8000.0
                        ph.append(" ".join("%4.0f" % np.degrees(np.angle(np.sum(seg * np.exp(-2j * np.pi * f * tt))))
                                           for f in tones))
                    lines.append("  phases per packet: " + " | ".join(ph))
                wins += 1
                lines.append("  window at %.1f s fails: tones %s dBFS, noise %s dBFS" % (o / 8000, tdb, ndb))
        total_noisy += noisy; total_win += wins
        sizes = {}
        for _, s in rx: sizes[len(s)] = sizes.get(len(s), 0) + 1
        print("%s: %d packets (sizes %s), %d noisy, %d of %d windows fail" % (p.name, len(rx), sizes, noisy, wins, len(x) // 4000))
        if a.verbose: print("\n".join(lines[:30]))
    print("TOTAL noisy packets %d, failing windows %d" % (total_noisy, total_win))
    try: ng("delete", call_id=cid)
    except TimeoutError: pass

if __name__ == "__main__":
    sys.exit(main())
