package io.k8scap.pcap;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Test-side strict pcapng reader (little-endian): checks every block's framing while reading. */
final class Pcapng {
    record Iface(int linkType, int snaplen, Map<Integer, byte[]> options) {
        String name() {
            return new String(options.get(2), StandardCharsets.UTF_8);
        }

        String description() {
            return new String(options.get(3), StandardCharsets.UTF_8);
        }
    }

    record Pkt(int iface, long ts, int capLen, int origLen, byte[] data) {
    }

    final Map<Integer, byte[]> shbOptions = new LinkedHashMap<>();
    final List<Iface> ifaces = new ArrayList<>();
    final List<Pkt> packets = new ArrayList<>();

    static Pcapng read(byte[] f) {
        Pcapng r = new Pcapng();
        int o = 0;
        while (o < f.length) {
            int type = Bytes.intLE(f, o);
            int len = Bytes.intLE(f, o + 4);
            assertThat(len % 4).as("block length multiple of 4").isZero();
            assertThat(Bytes.intLE(f, o + len - 4)).as("trailing length").isEqualTo(len);
            if (o == 0) {
                assertThat(type).isEqualTo(0x0A0D0D0A);
                assertThat(Bytes.intLE(f, 8)).isEqualTo(0x1A2B3C4D);
                assertThat(Bytes.int16(f, 12, false)).isEqualTo(1);
                assertThat(Bytes.int16(f, 14, false)).isEqualTo(0);
                assertThat(Arrays.copyOfRange(f, 16, 24)).containsOnly((byte) 0xFF);
                options(f, 24, len - 4, r.shbOptions);
            } else if (type == 1) {
                Map<Integer, byte[]> opts = new LinkedHashMap<>();
                options(f, o + 16, o + len - 4, opts);
                r.ifaces.add(new Iface(Bytes.int16(f, o + 8, false), Bytes.intLE(f, o + 12), opts));
            } else if (type == 6) {
                int cap = Bytes.intLE(f, o + 20);
                assertThat(len).isEqualTo(32 + ((cap + 3) & ~3));
                long ts = (Bytes.intLE(f, o + 12) & 0xFFFFFFFFL) << 32 | (Bytes.intLE(f, o + 16) & 0xFFFFFFFFL);
                int iface = Bytes.intLE(f, o + 8);
                assertThat(iface).isLessThan(r.ifaces.size());
                r.packets.add(new Pkt(iface, ts, cap, Bytes.intLE(f, o + 24), Arrays.copyOfRange(f, o + 28, o + 28 + cap)));
            } else {
                throw new AssertionError("unexpected block type " + type);
            }
            o += len;
        }
        return r;
    }

    private static void options(byte[] f, int o, int end, Map<Integer, byte[]> into) {
        while (true) {
            int code = Bytes.int16(f, o, false);
            int len = Bytes.int16(f, o + 2, false);
            if (code == 0) {
                assertThat(len).isZero();
                assertThat(o + 4).as("opt_endofopt ends the options").isEqualTo(end);
                return;
            }
            into.put(code, Arrays.copyOfRange(f, o + 4, o + 4 + len));
            o += 4 + ((len + 3) & ~3);
        }
    }
}
