package io.k8scap.pcap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Test helpers: the committed real captures and an independent (deliberately naive) pcap walker. */
final class PcapFiles {
    /** Real tcpdump captures recorded by record-traffic.sh in two lab namespaces. */
    static final List<String> REAL = List.of("eth.pcap", "sll.pcap", "sll2-nanos.pcap", "rawip.pcap");

    private PcapFiles() {
    }

    static byte[] resource(String name) {
        try (InputStream in = PcapFiles.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Rec(long tsNanos, int capLen, int origLen, int offset) {
    }

    /** Walks a little- or big-endian pcap byte by byte with its own decoding; stops at the first incomplete record. */
    static List<Rec> walk(byte[] f) {
        boolean le = (f[0] & 0xFF) == 0xd4 || (f[0] & 0xFF) == 0x4d;
        boolean ns = (f[le ? 1 : 2] & 0xFF) == 0x3c;
        List<Rec> out = new ArrayList<>();
        int o = 24;
        while (o + 16 <= f.length) {
            long sec = u32(f, o, le);
            long frac = u32(f, o + 4, le);
            int cap = (int) u32(f, o + 8, le);
            int orig = (int) u32(f, o + 12, le);
            if (o + 16 + cap > f.length) {
                break;
            }
            out.add(new Rec(sec * 1_000_000_000L + (ns ? frac : frac * 1000), cap, orig, o));
            o += 16 + cap;
        }
        return out;
    }

    static long u32(byte[] b, int o, boolean le) {
        long v = 0;
        for (int i = 0; i < 4; i++) {
            v = v << 8 | (b[o + (le ? 3 - i : i)] & 0xFF);
        }
        return v;
    }

    /** The same capture in the other byte order (header and record headers swapped, data unchanged). */
    static byte[] swapped(byte[] f) {
        byte[] s = f.clone();
        swap(s, 0, 4);
        swap(s, 4, 2);
        swap(s, 6, 2);
        for (int i = 8; i < 24; i += 4) {
            swap(s, i, 4);
        }
        for (Rec r : walk(f)) {
            for (int i = 0; i < 16; i += 4) {
                swap(s, r.offset() + i, 4);
            }
        }
        return s;
    }

    private static void swap(byte[] b, int o, int n) {
        for (int i = 0; i < n / 2; i++) {
            byte t = b[o + i];
            b[o + i] = b[o + n - 1 - i];
            b[o + n - 1 - i] = t;
        }
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Feeds {@code f} in chunks of {@code chunk} bytes, then closes the parser. */
    static void feed(PcapStreamParser p, byte[] f, int chunk) throws IOException {
        for (int o = 0; o < f.length; o += chunk) {
            p.write(f, o, Math.min(chunk, f.length - o));
        }
        p.close();
    }

    /** A synthetic pcap: {@code n} records of {@code size} bytes, µs, little-endian, linktype 1. */
    static byte[] synthetic(int n, int size, long startSec) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new PcapHeader(false, false, 2, 4, 262144, 1).toBytes());
        byte[] h = new byte[16];
        byte[] d = new byte[size];
        for (int i = 0; i < n; i++) {
            Bytes.putIntLE(h, 0, (int) (startSec + i / 1000));
            Bytes.putIntLE(h, 4, (i % 1000) * 1000);
            Bytes.putIntLE(h, 8, size);
            Bytes.putIntLE(h, 12, size + 10);
            d[0] = (byte) i;
            out.writeBytes(h);
            out.writeBytes(d);
        }
        return out.toByteArray();
    }
}
