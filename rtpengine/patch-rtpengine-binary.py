#!/usr/bin/env python3
"""Apply this repository's fixes to the rtpengine-daemon binary of Debian's rtpengine
26.0.1.26-1 (amd64) by editing it in place. There is no source build: this workplace's Debian
mirror does not serve rtpengine's source package (404), so the fixes are applied to the shipped
binary, pinned by SHA-256 (rtpengine/README.md).

  Mix-buffer abort (mix-buffer-overflow.patch):
  1. write_fast inlined in mix_buffer_write_delay: `fill + samples > size` -> `>=`
     (jb -> jbe at 0x14f6cd)
  2. write_fast inlined in mix_buffer_write_slow: the same (jb -> jbe at 0x14c715)
  G.722 through the audio player (g722-audio-player.patch, README "G.722 and the audio player"):
  3. __ssrc_handler_decode_new: the decoders that feed the audio player resample to
     dest_pt.clock_rate * default_clockrate_fact (16000 for G.722) instead of the bare RTP clock
     rate: `movd 0x170(%rbp),%xmm0` at 0x10ef94 becomes a jump to 39 bytes of new code at
     0x1695b0 (zero padding after .fini, in the executable segment's last page) that computes
     it and jumps back;
  4. the executable LOAD segment's file and memory size grow from 0x1385ad so that the new code
     is part of it (to 0x1385e0 in fx2; edit 6 below grows it further).
  Blocked RFC 4733 events rendered into the mix (dtmf-audio-player-block.patch, README
  "DTMF into the audio player"):
  5. packet_decode: after a telephone-event packet is logged (dtmf_event_packet), a handler that
     feeds the audio player skips the telephone-event decoder (which synthesises the tones) while
     the sender's DTMF is blocked: the two `jmp 0x110db0` that end the event branch (0x110ee7,
     0x110fa4) jump to 47 bytes of new code at 0x1695e0 that clears `packet` (as the audio
     suppression during an event does) when handler->packet_decoded is
     packet_decoded_audio_player and dtmf_get_block_mode(mp->call, monologue) is not OFF;
  6. the executable LOAD segment's file and memory size grow to 0x13860f to cover it.
  The mix buffer's write head left at the end of the ring (mix-buffer-head-wrap.patch, README
  "Audio player underruns"), which spins the daemon with an --audio-buffer-delay that is a
  multiple of the frame:
  7. fill_up_to (0x14f190): the 16 bytes from 0x14f1f0 (`sub %ebp,%r12d; jne 0x14f200`, the
     return and its padding) become `sub %ebp,%r12d; mov 0x40(%rbx),%eax (head_write_pos);
     cmp 0x38(%rbx),%eax (size); je 0x14f200; return`. The wrap-around branch at 0x14f200
     (clear `needed` samples at 0, fill += needed, loops++, head_write_pos = needed) is then
     taken whenever the padding reached the end of the ring, with needed == 0 too; needed != 0
     implies head_write_pos == size, so that branch is reached exactly as before otherwise.
  8. version string "26.0.1.26+0~mr26.0.1.26" -> "26.0.1.26+0~callsup.fx4", so that
     `rtpengine --version` says the daemon carries all four fixes.

Accepts the original binary, the one with only the mix-buffer fix (marker callsup.mb1), the
one with the mix-buffer and G.722 fixes (marker callsup.fx2) and the one with the first three
fixes (marker callsup.fx3), what earlier versions of this script produced, so an existing chroot
is upgraded in place.

Usage: patch-rtpengine-binary.py check BINARY   -> prints original|mb1|fx2|fx3|patched|unknown
       patch-rtpengine-binary.py apply BINARY   -> patches in place (atomic rename),
                                                  no-op if already patched
Exit status: 0 ok, 1 the binary is none of the known ones.
"""
import hashlib, os, sys

ORIG_SHA256 = "b29af4de1f7d5b60efaf11a911a940f48bf8ab7d6afea17372eed79577c577f8"
MB1_SHA256 = "215b11531db599a29f2be89350e936b36b3d3b573802abc2bd1838db5c5860ce"
FX2_SHA256 = "fc33a4503f9c8577fb65be976bb5b21d156a8156d7cde54ae291e7c7ed8f5bd7"
FX3_SHA256 = "4a4a6b44bdec4e097c04a0cb18075c7731bbd001f505048d868ed01dfbe92952"
PATCHED_SHA256 = "2e730a2dbce2992078a1a5c28d650669792838032b987d4aa800410505846a9c"
MARKER = b"+0~callsup.fx4"
# (file offset, original bytes, patched bytes); .text file offsets equal virtual addresses
CAVE = 0x1695B0
# push rax; push rdx; mov 0x170(%rbp),%eax (h->dest_pt.clock_rate); mov 0x1e8(%rbp),%rcx
# (h->dest_pt.codec_def); test rcx; je 1f; imul 0x8(%rcx),%eax (fact.num); cltd;
# idivl 0xc(%rcx) (fact.den); 1: movd %eax,%xmm0; pop rdx; pop rax; jmp 0x10ef9c
CAVE_CODE = bytes.fromhex("50528b8570010000488b8de80100004885c974080faf410899f7790c660f6ec05a58"
                          "e9c559faff")
CAVE3 = 0x1695E0
# In packet_decode (0x110cc0; rbp = ch, rbx = packet, r13 = mp), reached after the event was
# logged: mov 0x60(%rbp),%rax (ch->handler); lea packet_decoded_audio_player(%rip),%rdx;
# cmp %rdx,0x2f8(%rax) (handler->packet_decoded); jne 1f; mov 0x48(%r13),%rdi (mp->call);
# mov 0x58(%r13),%rax (mp->media); mov (%rax),%rsi (media->monologue); call dtmf_get_block_mode;
# test %eax,%eax; je 1f; xor %ebx,%ebx (packet = NULL); 1: jmp 0x110db0
CAVE3_CODE = bytes.fromhex("488b4560488d156575faff483990f80200007516498b7d48498b4558488b30e85c25"
                           "fbff85c0740231dbe9a177faff")
PHDR4_SIZES = 64 + 3 * 56 + 32  # p_filesz, p_memsz of the R E LOAD segment (4th program header)
VERSION = 0x1831BA
EDITS = [
    (0x14F6CD, bytes.fromhex("0f8239ffffff"), bytes.fromhex("0f8639ffffff")),
    (0x14C715, bytes.fromhex("723f8b5560"), bytes.fromhex("763f8b5560")),
    # jmp CAVE; nopl (%rax)  in place of  movd 0x170(%rbp),%xmm0
    (0x10EF94, bytes.fromhex("660f6e8570010000"), bytes.fromhex("e917a605000f1f00")),
    (CAVE, bytes(len(CAVE_CODE)), CAVE_CODE),
    # jmp CAVE3 in place of jmp 0x110db0, at both ends of the telephone-event branch
    (0x110EE7, bytes.fromhex("e9c4feffff"), bytes.fromhex("e9f4860500")),
    (0x110FA4, bytes.fromhex("e907feffff"), bytes.fromhex("e937860500")),
    (CAVE3, bytes(len(CAVE3_CODE)), CAVE3_CODE),
    (PHDR4_SIZES, bytes.fromhex("ad85130000000000ad85130000000000"),
     bytes.fromhex("0f86130000000000" "0f86130000000000")),
    # fill_up_to: sub %ebp,%r12d; mov 0x40(%rbx),%eax; cmp 0x38(%rbx),%eax; je 0x14f200;
    # pop %rbx; pop %rbp; pop %r12; ret
    (0x14F1F0, bytes.fromhex("4129ec750b5b5d415cc3660f1f440000"),
     bytes.fromhex("4129ec8b43403b433874055b5d415cc3")),
    (VERSION, b"26.0.1.26+0~mr26.0.1.26\0", b"26.0.1.26+0~callsup.fx4\0"),
]
# What the earlier fixes' binaries have where they differ from the original.
MB1 = {0x14F6CD: bytes.fromhex("0f8639ffffff"), 0x14C715: bytes.fromhex("763f8b5560"),
       VERSION: b"26.0.1.26+0~callsup.mb1\0"}
FX2 = {0x14F6CD: bytes.fromhex("0f8639ffffff"), 0x14C715: bytes.fromhex("763f8b5560"),
       0x10EF94: bytes.fromhex("e917a605000f1f00"), CAVE: CAVE_CODE,
       PHDR4_SIZES: bytes.fromhex("e085130000000000e085130000000000"),
       VERSION: b"26.0.1.26+0~callsup.fx2\0"}
# fx3 is every edit but fx4's, with its own version string.
FX3 = dict((off, new) for off, _, new in EDITS if off not in (0x14F1F0, VERSION))
FX3[VERSION] = b"26.0.1.26+0~callsup.fx3\0"
EARLIER = {"mb1": MB1, "fx2": FX2, "fx3": FX3}

def state(data):
    h = hashlib.sha256(data).hexdigest()
    if h == ORIG_SHA256:
        return "original"
    if h == MB1_SHA256:
        return "mb1"
    if h == FX2_SHA256:
        return "fx2"
    if h == FX3_SHA256:
        return "fx3"
    if h == PATCHED_SHA256 or (PATCHED_SHA256.startswith("@") and
                               all(data[o:o + len(p)] == p for o, _, p in EDITS)):
        return "patched"
    return "unknown"

def original_bytes(data, st):
    buf = bytearray(data)
    if st in EARLIER:
        for off, old, _ in EDITS:
            if off in EARLIER[st]:
                if buf[off:off + len(EARLIER[st][off])] != EARLIER[st][off]:
                    raise SystemExit("unexpected bytes at 0x%x" % off)
                buf[off:off + len(old)] = old
    if hashlib.sha256(buf).hexdigest() != ORIG_SHA256:
        raise SystemExit("could not recover the original binary")
    return buf

def patched_bytes(data, st):
    buf = original_bytes(data, st)
    for off, old, new in EDITS:
        if buf[off:off + len(old)] != old:
            raise SystemExit("unexpected bytes at 0x%x" % off)
        buf[off:off + len(new)] = new
    return bytes(buf)

def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("check", "apply"):
        print(__doc__, file=sys.stderr); return 2
    cmd, path = sys.argv[1:]
    data = open(path, "rb").read()
    st = state(data)
    if cmd == "check":
        print(st); return 0 if st != "unknown" else 1
    if st == "patched":
        print("already patched"); return 0
    if st == "unknown":
        print("%s: sha256 %s is not the known rtpengine-daemon 26.0.1.26-1 amd64 binary; "
              "port the patches in rtpengine/ to it" % (path, hashlib.sha256(data).hexdigest()),
              file=sys.stderr)
        return 1
    new = patched_bytes(data, st)
    if not PATCHED_SHA256.startswith("@") and hashlib.sha256(new).hexdigest() != PATCHED_SHA256:
        print("patched result has an unexpected sha256", file=sys.stderr); return 1
    tmp = path + ".callsup-patch.tmp"
    with open(tmp, "wb") as f:
        f.write(new)
    st_ = os.stat(path)
    os.chmod(tmp, st_.st_mode & 0o7777)
    os.chown(tmp, st_.st_uid, st_.st_gid)
    os.rename(tmp, path)      # running daemons keep the old inode
    print("patched (from %s)" % st); return 0

if __name__ == "__main__":
    sys.exit(main())
