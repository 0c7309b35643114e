package io.k8scap.pcap;

/** Fixed-width integer access on byte arrays, both byte orders (static, no virtual calls). */
final class Bytes {
    private Bytes() {
    }

    static int intBE(byte[] b, int o) {
        return (b[o] & 0xFF) << 24 | (b[o + 1] & 0xFF) << 16 | (b[o + 2] & 0xFF) << 8 | (b[o + 3] & 0xFF);
    }

    static int intLE(byte[] b, int o) {
        return (b[o + 3] & 0xFF) << 24 | (b[o + 2] & 0xFF) << 16 | (b[o + 1] & 0xFF) << 8 | (b[o] & 0xFF);
    }

    static int int32(byte[] b, int o, boolean big) {
        return big ? intBE(b, o) : intLE(b, o);
    }

    static int int16(byte[] b, int o, boolean big) {
        return big ? (b[o] & 0xFF) << 8 | (b[o + 1] & 0xFF) : (b[o + 1] & 0xFF) << 8 | (b[o] & 0xFF);
    }

    static int u16BE(byte[] b, int o) {
        return (b[o] & 0xFF) << 8 | (b[o + 1] & 0xFF);
    }

    static void putInt32(byte[] b, int o, int v, boolean big) {
        if (big) {
            b[o] = (byte) (v >>> 24);
            b[o + 1] = (byte) (v >>> 16);
            b[o + 2] = (byte) (v >>> 8);
            b[o + 3] = (byte) v;
        } else {
            b[o] = (byte) v;
            b[o + 1] = (byte) (v >>> 8);
            b[o + 2] = (byte) (v >>> 16);
            b[o + 3] = (byte) (v >>> 24);
        }
    }

    static void putInt16(byte[] b, int o, int v, boolean big) {
        if (big) {
            b[o] = (byte) (v >>> 8);
            b[o + 1] = (byte) v;
        } else {
            b[o] = (byte) v;
            b[o + 1] = (byte) (v >>> 8);
        }
    }

    static void putIntLE(byte[] b, int o, int v) {
        putInt32(b, o, v, false);
    }
}
