#!/usr/bin/env python3
"""Reproduce rtpengine 26.0.1.26 `mix_buffer.c:83: fill_up_to: Assertion 'up_to <= mb->size'`.

Sets up one call on a running rtpengine (ng over UDP on 127.0.0.1): client C and agent A
anchored with offer/answer, a supervisor S published with "audio player: force" and mixed
in barge mode with the inject recipe (shared/design/rtpengine.md). All three parties are
UDP sockets here that send 20 ms PCMU tones (A 700 Hz, C 1100 Hz, S 1700 Hz) and decode
what they receive. Then it stresses the mix buffers:

  --mode stall   SIGSTOP the daemon for --stall-ms, SIGCONT, wait --gap-ms, repeat
  --mode inject  rapid `inject stop`/`inject start` (to C from S) and `block media`/
                 `unblock media` (S, directional), --gap-ms apart

and reports whether the daemon survived, plus which tones each party heard before and
after the stress (Goertzel on the decoded audio).

Usage: repro_mix_overflow.py --ng-port 22950 --pid PID [--mode stall] [--rounds 10]
Exit status: 0 daemon alive and tones right, 1 daemon died, 2 alive but tones wrong.
"""
import argparse, math, os, random, select, signal, socket, struct, sys, time

# ---- bencode ----------------------------------------------------------------------
def benc(o):
    if isinstance(o, bytes): return str(len(o)).encode() + b":" + o
    if isinstance(o, str): return benc(o.encode())
    if isinstance(o, bool): return benc("yes" if o else "no")
    if isinstance(o, int): return b"i%de" % o
    if isinstance(o, list): return b"l" + b"".join(benc(x) for x in o) + b"e"
    if isinstance(o, dict):
        return b"d" + b"".join(benc(k) + benc(v) for k, v in sorted(o.items())) + b"e"
    raise TypeError(o)

def bdec(b, i=0):
    c = b[i:i+1]
    if c == b"i":
        j = b.index(b"e", i); return int(b[i+1:j]), j + 1
    if c in (b"l", b"d"):
        i += 1; out = [] if c == b"l" else {}
        while b[i:i+1] != b"e":
            v, i = bdec(b, i)
            if c == b"l": out.append(v)
            else:
                w, i = bdec(b, i); out[v.decode()] = w
        return out, i + 1
    j = b.index(b":", i); n = int(b[i:j])
    return b[j+1:j+1+n], j + 1 + n

class Ng:
    def __init__(self, port):
        self.addr = ("127.0.0.1", port)
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    def __call__(self, cmd, timeout=2.0, **kw):
        msg = {"command": cmd}
        for k, v in kw.items(): msg[k.replace("_", "-")] = v
        cookie = "%d_%d" % (os.getpid(), random.randrange(1 << 30))
        self.s.sendto(cookie.encode() + b" " + benc(msg), self.addr)
        end = time.time() + timeout
        while True:
            left = end - time.time()
            if left <= 0: raise TimeoutError(cmd)
            r, _, _ = select.select([self.s], [], [], left)
            if not r: raise TimeoutError(cmd)
            data = self.s.recv(65535)
            ck, _, body = data.partition(b" ")
            if ck.decode() == cookie:
                d, _ = bdec(body)
                return d
    def ok(self, cmd, **kw):
        r = self(cmd, **kw)
        if r.get("result") not in (b"ok", b"pong"):
            raise RuntimeError("%s failed: %r" % (cmd, r))
        return r

# ---- G.711 mu-law -----------------------------------------------------------------
def lin2ulaw(s):
    BIAS, CLIP = 0x84, 32635
    sign = 0x80 if s < 0 else 0
    if s < 0: s = -s
    s = min(s, CLIP) + BIAS
    exp, mask = 7, 0x4000
    while exp > 0 and not (s & mask): exp -= 1; mask >>= 1
    mant = (s >> (exp + 3)) & 0x0F
    return ~(sign | (exp << 4) | mant) & 0xFF

ULAW2LIN = []
for u in range(256):
    u2 = ~u & 0xFF
    t = ((u2 & 0x0F) << 3) + 0x84
    t <<= (u2 & 0x70) >> 4
    ULAW2LIN.append((0x84 - t) if (u2 & 0x80) else (t - 0x84))

def goertzel(x, f, rate=8000):
    k = 2 * math.cos(2 * math.pi * f / rate); s1 = s2 = 0.0
    for v in x: s1, s2 = v + k * s1 - s2, s1
    return math.sqrt(max(s1 * s1 + s2 * s2 - k * s1 * s2, 0)) / max(len(x), 1)

TONES = {"A": 700, "C": 1100, "S": 1700}

class Party:
    def __init__(self, name):
        self.name, self.freq = name, TONES[name]
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0)); self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]
        self.ssrc, self.seq, self.ts, self.phase = random.randrange(1 << 32), random.randrange(1 << 16), 0, 0
        self.remote = None
        self.rx = []                    # (arrival time, samples)
    def sdp(self):
        return ("v=0\r\no=- %d 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                "m=audio %d RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
                "a=fmtp:101 0-16\r\na=sendrecv\r\na=ptime:20\r\n" % (self.port, self.port))
    def set_remote(self, sdp):
        sdp = sdp.decode(); ip = "127.0.0.1"; port = None
        for l in sdp.splitlines():
            if l.startswith("c=IN IP4 "): ip = l.split()[-1]
            if l.startswith("m=audio "): port = int(l.split()[1])
        self.remote = (ip, port)
    def send(self):
        if not self.remote: return
        pl = bytearray(160)
        for i in range(160):
            pl[i] = lin2ulaw(int(8000 * math.sin(self.phase))); self.phase += 2 * math.pi * self.freq / 8000
        self.phase %= 2 * math.pi
        hdr = struct.pack("!BBHII", 0x80, 0, self.seq & 0xFFFF, self.ts & 0xFFFFFFFF, self.ssrc)
        self.seq += 1; self.ts += 160
        try: self.sock.sendto(hdr + bytes(pl), self.remote)
        except OSError: pass
    def recv(self, now):
        while True:
            try: d = self.sock.recv(2048)
            except BlockingIOError: return
            if len(d) < 12 or d[1] & 0x7F != 0: continue
            self.rx.append((now, [ULAW2LIN[b] for b in d[12:]]))
    def heard(self, t0, t1):
        x = [v for t, s in self.rx if t0 <= t < t1 for v in s]
        if len(x) < 800: return {}, len(x)
        return {n: goertzel(x, f) for n, f in TONES.items() if n != self.name}, len(x)

def fmt_heard(p, t0, t1):
    h, n = p.heard(t0, t1)
    if not h: return "%s: no audio (%d samples)" % (p.name, n), set()
    got = {k for k, v in h.items() if v > 200}
    return "%s hears %s (%s)" % (p.name, "+".join(sorted(got)) or "-",
                                 ", ".join("%s=%.0f" % kv for kv in sorted(h.items()))), got

def alive(pid, ng):
    try:
        st = open("/proc/%d/stat" % pid).read().split(") ")[1][0]
        if st in "ZX": return False
    except OSError:
        return False
    try: return ng("ping", timeout=1.0).get("result") == b"pong"
    except TimeoutError: return False

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ng-port", type=int, default=22950)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--mode", choices=["stall", "inject"], default="stall")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--stall-ms", default="60", help="ms, or a range LO-HI drawn per round")
    ap.add_argument("--gap-ms", type=float, default=300)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--load-stall-ms", default=None,
                    help="inject mode: also stall the daemon LO-HI ms after each command (a busy host)")
    a = ap.parse_args()
    random.seed(a.seed)
    ng = Ng(a.ng_port)
    cid = "repro-%d-%d" % (os.getpid(), random.randrange(1 << 20))
    A, C, S = Party("A"), Party("C"), Party("S")
    parties = [A, C, S]
    # call: C offers, A answers
    r = ng.ok("offer", call_id=cid, from_tag="C", sdp=C.sdp()); A.set_remote(r["sdp"])
    r = ng.ok("answer", call_id=cid, from_tag="C", to_tag="A", sdp=A.sdp()); C.set_remote(r["sdp"])
    r = ng.ok("publish", call_id=cid, from_tag="S", sdp=S.sdp(), flags=["bidirectional"],
              **{"audio player": "force"}); S.set_remote(r["sdp"])
    ng.ok("inject start", call_id=cid, to_tag="S", source_tag="A")
    ng.ok("inject start", call_id=cid, to_tag="S", source_tag="C")
    for f, t in (("C", "A"), ("A", "C")):
        ng.ok("connect", call_id=cid, from_tag=f, to_tag=t, flags=["directional"], **{"audio player": "force"})
    ng.ok("inject start", call_id=cid, to_tag="A", source_tag="S")     # whisper
    ng.ok("inject start", call_id=cid, to_tag="C", source_tag="S")     # barge

    t_start = time.monotonic(); nxt = t_start
    events = []                          # (time, callable)
    state = {"dead": False}

    def pump(until):
        nonlocal nxt
        while True:
            now = time.monotonic()
            if now >= until: return
            while events and events[0][0] <= now:
                _, fn = events.pop(0); fn()
            if now >= nxt:
                for p in parties: p.send()
                nxt += 0.020
                if nxt < now - 0.1: nxt = now
            wait = max(0.0, min(nxt, until, events[0][0] if events else until) - time.monotonic())
            r, _, _ = select.select([p.sock for p in parties], [], [], wait)
            now = time.monotonic()
            for p in parties:
                if p.sock in r: p.recv(now)

    pump(t_start + 1.5)                  # settle
    b0, b1 = t_start + 0.5, t_start + 1.5
    print("before (barge): expect A hears C+S, C hears A+S, S hears A+C")
    for p in parties: print("  " + fmt_heard(p, b0, b1)[0])

    t_stress = time.monotonic(); rounds_done = 0
    for i in range(a.rounds):
        if not alive(a.pid, ng): state["dead"] = True; break
        if a.mode == "stall":
            lo, _, hi = a.stall_ms.partition("-")
            stall = random.uniform(float(lo), float(hi or lo))
            os.kill(a.pid, signal.SIGSTOP)
            pump(time.monotonic() + stall / 1000)
            os.kill(a.pid, signal.SIGCONT)
            pump(time.monotonic() + a.gap_ms / 1000)
        else:
            gap = lambda: random.uniform(0.8, 1.2) * a.gap_ms / 1000
            for cmd, kw in (("inject stop", dict(to_tag="C", source_tag="S")),
                            ("block media", dict(from_tag="S", flags=["directional"])),
                            ("unblock media", dict(from_tag="S", flags=["directional"])),
                            ("inject start", dict(to_tag="C", source_tag="S"))):
                try: ng(cmd, timeout=1.0, call_id=cid, **kw)
                except TimeoutError: pass
                if a.load_stall_ms:
                    lo, _, hi = a.load_stall_ms.partition("-")
                    os.kill(a.pid, signal.SIGSTOP)
                    pump(time.monotonic() + random.uniform(float(lo), float(hi or lo)) / 1000)
                    os.kill(a.pid, signal.SIGCONT)
                pump(time.monotonic() + gap())
        rounds_done = i + 1
    t_end = time.monotonic()
    pump(t_end + 0.3)
    dead = state["dead"] or not alive(a.pid, ng)
    print("stress: mode=%s rounds=%d/%d stall=%sms gap=%.0fms load=%s -> daemon %s" % (
        a.mode, rounds_done, a.rounds, a.stall_ms if a.mode == "stall" else "-", a.gap_ms,
        a.load_stall_ms or "-", "DIED" if dead else "alive"))
    if dead: return 1
    pump(time.monotonic() + 1.5)
    print("after (barge): expect A hears C+S, C hears A+S, S hears A+C")
    ok = True
    a1 = time.monotonic(); a0 = a1 - 1.0
    want = {"A": {"C", "S"}, "C": {"A", "S"}, "S": {"A", "C"}}
    for p in parties:
        line, got = fmt_heard(p, a0, a1); print("  " + line)
        ok &= got == want[p.name]
    try: ng("delete", call_id=cid)
    except TimeoutError: pass
    return 0 if ok else 2

if __name__ == "__main__":
    sys.exit(main())
