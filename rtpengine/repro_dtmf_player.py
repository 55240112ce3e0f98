#!/usr/bin/env python3
"""Does a supervisor's blocked RFC 4733 digit reach the agent through rtpengine's audio player?

One call on a running rtpengine (ng over UDP on 127.0.0.1), built as RtpengineMixer builds it:
client C offers, agent A answers; supervisor S offers to its placeholder P (--s-codec adds a
`codec` dictionary to that offer, e.g. '{"mask": ["telephone-event"]}'), P answers; S's output
is the audio player; A and C are armed (`connect ... audio player: force`); S hears A and C and
is mixed into A (whisper, `inject start`); `block DTMF` on S, directional, with --block-extra
added to that command (e.g. '{"DTMF-security": "silence"}'). Tones: A 700 Hz, C 1100 Hz,
S 1700 Hz (PCMU). S then sends the RFC 4733 digit 5 (770 + 1336 Hz) for 200 ms, no audio
meanwhile, as a phone does. Reported: the DTMF log datagram (--dtmf-log-port, the daemon's
--dtmf-log-dest) and the loudest 20 ms Goertzel amplitude at 770 and 1336 Hz in what A receives
during the digit and after it, next to S's 1700 Hz before and after.

Usage: repro_dtmf_player.py --ng-port 22340 --dtmf-log-port 22341 [--s-codec JSON] [--block-extra JSON]
       [--no-block]   (control: S's DTMF not blocked, so its digit is meant to be heard)
Exit status: 0 no DTMF pair at A, 1 a pair at A (both frequencies above 600 in one window),
2 setup or measurement failed (no DTMF log datagram, S not heard).
"""
import argparse, json, math, os, random, select, socket, struct, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from repro_mix_overflow import Ng, Party, lin2ulaw, ULAW2LIN, goertzel  # noqa: E402


def placeholder_answer(offer, port):
    """Answer an offer with the codecs it lists (P never sends)."""
    offer = offer.decode()
    m = next(l for l in offer.splitlines() if l.startswith("m=audio "))
    pts = m.split()[3:]
    attrs = [l for l in offer.splitlines() if l.startswith(("a=rtpmap:", "a=fmtp:"))]
    return ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            "m=audio %d RTP/AVP %s\r\n%s\r\na=recvonly\r\na=ptime:20\r\n"
            % (port, " ".join(pts), "\r\n".join(attrs)))


def amp(x, f):
    return goertzel(x, f) * 2  # amplitude of a sine in x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ng-port", type=int, required=True)
    ap.add_argument("--dtmf-log-port", type=int, required=True)
    ap.add_argument("--s-codec", default=None)
    ap.add_argument("--block-extra", default=None)
    ap.add_argument("--no-block", action="store_true", help="no `block DTMF` on S (control)")
    a = ap.parse_args()
    ng = Ng(a.ng_port)
    log = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    log.bind(("127.0.0.1", a.dtmf_log_port)); log.setblocking(False)
    cid = "dtmf-%d-%d" % (os.getpid(), random.randrange(1 << 20))
    A, C, S = Party("A"), Party("C"), Party("S")
    ph = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); ph.bind(("127.0.0.1", 0))
    r = ng.ok("offer", call_id=cid, from_tag="C", sdp=C.sdp()); A.set_remote(r["sdp"])
    r = ng.ok("answer", call_id=cid, from_tag="C", to_tag="A", sdp=A.sdp()); C.set_remote(r["sdp"])
    kw = {"codec": json.loads(a.s_codec)} if a.s_codec else {}
    r = ng.ok("offer", call_id=cid, from_tag="S", to_tag="P", sdp=S.sdp(), **kw)
    r = ng.ok("answer", call_id=cid, from_tag="S", to_tag="P",
              sdp=placeholder_answer(r["sdp"], ph.getsockname()[1]))
    S.set_remote(r["sdp"])
    s_answer = r["sdp"].decode()
    ng.ok("connect", call_id=cid, from_tag="P", to_tag="S", flags=["directional"], **{"audio player": "force"})
    ng.ok("unsubscribe", call_id=cid, from_tag="S", to_tag="P", flags=["directional"])
    for src in ("A", "C"):
        ng.ok("inject start", call_id=cid, to_tag="S", source_tag=src)
    for f, t in (("C", "A"), ("A", "C")):
        ng.ok("connect", call_id=cid, from_tag=f, to_tag=t, flags=["directional"], **{"audio player": "force"})
    ng.ok("inject start", call_id=cid, to_tag="A", source_tag="S")
    extra = json.loads(a.block_extra) if a.block_extra else {}
    if not a.no_block:
        ng.ok("block DTMF", call_id=cid, from_tag="S", flags=["directional"], **extra)

    parties = [A, C, S]
    logged = []
    digit = {"on": None}

    def s_send_event(now):
        # RFC 4733: one event packet per 20 ms, growing duration, end bit and 3 ends at 200 ms
        el = int((now - digit["on"]) * 8000 / 160) * 160 + 160
        end = el >= 1600
        pl = struct.pack("!BBH", 5, (0x80 if end else 0) | 10, min(el, 1600))
        hdr = struct.pack("!BBHII", 0x80, 101 | (0x80 if el == 160 else 0), S.seq & 0xFFFF,
                          digit["ts"] & 0xFFFFFFFF, S.ssrc)
        for _ in range(3 if end else 1):
            S.sock.sendto(hdr + pl, S.remote)
            S.seq += 1
            hdr = struct.pack("!BBHII", 0x80, 101, S.seq & 0xFFFF, digit["ts"] & 0xFFFFFFFF, S.ssrc)
        if end:
            digit["on"] = None
            S.ts = digit["ts"] + 1600

    t0 = time.monotonic(); nxt = t0; t_dig = t0 + 1.5; t_end = t0 + 3.0
    while True:
        now = time.monotonic()
        if now >= t_end:
            break
        if now >= nxt:
            for p in (A, C):
                p.send()
            if digit["on"] is None and t_dig <= now < t_dig + 0.1 and "ts" not in digit:
                digit["on"] = now; digit["ts"] = S.ts
            if digit["on"] is not None:
                s_send_event(now)
            else:
                S.send()
            nxt += 0.020
        rr, _, _ = select.select([p.sock for p in parties] + [log], [], [], max(0, nxt - time.monotonic()))
        now = time.monotonic()
        for p in parties:
            p.recv(now)
        try:
            while True:
                logged.append(log.recv(4096).decode(errors="replace"))
        except BlockingIOError:
            pass
    ng("delete", call_id=cid)

    def windows(t_a, t_b):
        return [s for t, s in A.rx if t_a <= t < t_b and len(s) == 160]
    during = windows(t_dig, t_dig + 0.5)
    before = windows(t_dig - 0.5, t_dig)
    after = windows(t_dig + 0.6, t_dig + 1.1)
    pair = any(amp(w, 770) > 600 and amp(w, 1336) > 600 for w in during)
    peak = max((max(amp(w, 770), amp(w, 1336)) for w in during), default=0)
    sup = lambda ws: max((amp(w, 1700) for w in ws), default=0)
    print("S answer has telephone-event: %s" % ("telephone-event" in s_answer))
    print("DTMF log datagrams: %d %s" % (len(logged), logged[:1]))
    print("A during the digit: loudest 770/1336 Hz window %.0f, DTMF pair: %s" % (peak, pair))
    print("A hears S (1700 Hz) before %.0f, after %.0f" % (sup(before), sup(after)))
    if not logged or sup(before) < 1000 or sup(after) < 1000:
        return 2
    return 1 if pair else 0


if __name__ == "__main__":
    sys.exit(main())
