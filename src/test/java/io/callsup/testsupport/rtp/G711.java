package io.callsup.testsupport.rtp;

/** G.711 mu-law (PCMU, PT 0) and A-law (PCMA, PT 8). */
public final class G711 {
    private G711() {
    }

    public static byte ulaw(short pcm) {
        int s = pcm;
        int sign = (s >> 8) & 0x80;
        if (sign != 0) {
            s = -s;
        }
        if (s > 32635) {
            s = 32635;
        }
        s += 0x84;
        int exp = 7;
        for (int mask = 0x4000; (s & mask) == 0 && exp > 0; mask >>= 1) {
            exp--;
        }
        int mant = (s >> (exp + 3)) & 0x0f;
        return (byte) ~(sign | (exp << 4) | mant);
    }

    public static short ulawDecode(byte b) {
        int u = ~b & 0xff;
        int sign = u & 0x80;
        int exp = (u >> 4) & 7;
        int mant = u & 0x0f;
        int s = ((mant << 3) + 0x84) << exp;
        s -= 0x84;
        return (short) (sign != 0 ? -s : s);
    }

    public static byte alaw(short pcm) {
        int s = pcm;
        int sign = (s & 0x8000) != 0 ? 0x00 : 0x80;
        if (s < 0) {
            s = -s - 1;
        }
        if (s > 32767) {
            s = 32767;
        }
        int exp;
        int mant;
        if (s >= 256) {
            exp = 7;
            for (int mask = 0x4000; (s & mask) == 0 && exp > 1; mask >>= 1) {
                exp--;
            }
            mant = (s >> (exp + 3)) & 0x0f;
        } else {
            exp = 0;
            mant = s >> 4;
        }
        return (byte) ((sign | (exp << 4) | mant) ^ 0x55);
    }

    public static short alawDecode(byte b) {
        int a = (b & 0xff) ^ 0x55;
        int sign = a & 0x80;
        int exp = (a >> 4) & 7;
        int mant = a & 0x0f;
        int s = exp == 0 ? (mant << 4) + 8 : ((mant << 4) + 0x108) << (exp - 1);
        return (short) (sign != 0 ? s : -s);
    }
}
