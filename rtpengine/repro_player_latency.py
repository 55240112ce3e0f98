#!/usr/bin/env python3
"""Mouth-to-ear latency through rtpengine's audio player, to weigh --audio-buffer-delay.

The same call as repro_player_jitter.py (C offers, A answers, supervisor S published with
`audio player: force`, barge with the inject recipe, PCMU 20 ms), but S and C stay silent and A
sends --bursts bursts of 700 Hz (200 ms on, 300 ms off), each starting at sample 0 of a packet.
C receives A only through the player, so the first sample above 1000 after silence is the
burst's onset. Latency of one burst = arrival time of that packet + the onset's offset in it
(as if played on arrival) - the send time of the burst's first packet. Loopback, so this is the
daemon's own share: the player's timer phase (0-20 ms) plus its start delay plus the ptime.

Usage: repro_player_latency.py --ng-port 22340 [--bursts 20]
Prints min / median / max in ms; exit status 2 if fewer than half the bursts were found.
"""
import argparse, os, random, select, statistics, struct, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from repro_mix_overflow import Ng, Party  # noqa: E402


class Burster(Party):
    """A Party whose send() carries its tone only while `on`, else PCMU silence (0xFF)."""
    def __init__(self, name):
        super().__init__(name)
        self.on = False

    def send(self):
        if self.on:
            return super().send()
        if not self.remote:
            return
        hdr = struct.pack("!BBHII", 0x80, 0, self.seq & 0xFFFF, self.ts & 0xFFFFFFFF, self.ssrc)
        self.seq += 1; self.ts += 160; self.phase = 0
        try: self.sock.sendto(hdr + b"\xff" * 160, self.remote)
        except OSError: pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ng-port", type=int, default=22340)
    ap.add_argument("--bursts", type=int, default=20)
    a = ap.parse_args()
    ng = Ng(a.ng_port)
    cid = "latency-%d-%d" % (os.getpid(), random.randrange(1 << 20))
    A, C, S = Burster("A"), Burster("C"), Burster("S")
    parties = [A, C, S]
    r = ng.ok("offer", call_id=cid, from_tag="C", sdp=C.sdp()); A.set_remote(r["sdp"])
    r = ng.ok("answer", call_id=cid, from_tag="C", to_tag="A", sdp=A.sdp()); C.set_remote(r["sdp"])
    r = ng.ok("publish", call_id=cid, from_tag="S", sdp=S.sdp(), flags=["bidirectional"],
              **{"audio player": "force"}); S.set_remote(r["sdp"])
    for src in ("A", "C"):
        ng.ok("inject start", call_id=cid, to_tag="S", source_tag=src)
    for f, t in (("C", "A"), ("A", "C")):
        ng.ok("connect", call_id=cid, from_tag=f, to_tag=t, flags=["directional"], **{"audio player": "force"})
    for dst in ("A", "C"):
        ng.ok("inject start", call_id=cid, to_tag=dst, source_tag="S")

    t0 = time.monotonic() + 0.05
    n = 0                                   # packets sent per party
    onsets = []                             # send time of each burst's first tone packet
    end = t0 + 1.0 + a.bursts * 0.5 + 0.5
    while time.monotonic() < end:
        due = t0 + n * 0.020
        now = time.monotonic()
        if now >= due:
            k = n - 50                      # 1 s of silence first
            A.on = k >= 0 and k // 25 < a.bursts and k % 25 < 10
            if A.on and k % 25 == 0:
                onsets.append(time.monotonic())
            for p in parties:
                p.send()
            n += 1
            continue
        rd, _, _ = select.select([p.sock for p in parties], [], [], due - now)
        now = time.monotonic()
        for p in parties:
            if p.sock in rd: p.recv(now)
    try: ng("delete", call_id=cid)
    except TimeoutError: pass

    lat = []
    samples = [(t + i / 8000.0, v) for t, s in C.rx for i, v in enumerate(s)]
    for on in onsets:
        quiet = 0
        for t, v in samples:
            if t >= on and abs(v) > 1000 and quiet >= 400:   # 50 ms of silence before the onset
                lat.append((t - on) * 1000); break
            quiet = quiet + 1 if abs(v) <= 1000 else 0
    if lat:
        print("bursts %d, onsets found %d: latency min %.1f median %.1f max %.1f ms"
              % (len(onsets), len(lat), min(lat), statistics.median(lat), max(lat)))
    return 0 if len(lat) * 2 >= len(onsets) else 2


if __name__ == "__main__":
    sys.exit(main())
