package io.k8scap.analysis;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a capture file — classic pcap (microsecond and nanosecond, either byte order) or pcapng (several sections
 * and interfaces, any timestamp resolution; enhanced, simple and obsolete packet blocks) — as a stream, in one
 * reusable buffer (it grows to the largest record, at most 64 MiB), and hands each packet to a {@link Sink}.
 *
 * <p>The source name of a packet is the file's name; when a pcapng file has several interfaces, the name is
 * {@code FILE:IFACE} (the interface's {@code if_name}, else {@code ifN}).
 *
 * <p>A stream that does not start with a pcap or pcapng magic is refused ({@link K8sCapException}, exit code
 * {@link ExitCode#USAGE}: the argument is not a capture). A stream that ends inside a record, or whose record
 * claims an impossible length, is read up to there: {@link Result#problem()} says what stopped it.
 */
public final class CaptureReader {
    private static final int MAX_RECORD = 64 << 20;
    private static final int SHB = 0x0A0D0D0A;

    /** Receives each packet; the array is only valid during the call. */
    @FunctionalInterface
    public interface Sink {
        void packet(String source, int linkType, long tsNanos, int origLen, byte[] buf, int off, int len);
    }

    /**
     * @param format  "pcap", "pcap (nanoseconds)" or "pcapng"
     * @param problem null when the file was read to its end; else why reading stopped early (truncated, corrupt)
     */
    public record Result(String format, long packets, String problem) {
    }

    private final InputStream in;
    private final String name;
    private byte[] buf = new byte[1 << 20];
    private int pos;
    private int lim;
    private long consumed; // bytes before buf[0]
    private boolean eof;

    private CaptureReader(InputStream in, String name) {
        this.in = in;
        this.name = name;
    }

    /** Reads the whole stream into {@code sink}; {@code name} names the source (and the file in messages). */
    public static Result read(InputStream in, String name, Sink sink) throws IOException {
        return new CaptureReader(in, name).run(sink);
    }

    private Result run(Sink sink) throws IOException {
        fill(4);
        if (lim - pos < 4) {
            throw notCapture(lim - pos == 0 ? "it is empty" : "it is only " + (lim - pos) + " bytes long");
        }
        int magicBE = u32(buf, pos, true);
        if (magicBE == SHB) {
            return pcapng(sink);
        }
        boolean big;
        boolean nanos;
        switch (magicBE) {
            case 0xA1B2C3D4 -> { big = true; nanos = false; }
            case 0xA1B23C4D -> { big = true; nanos = true; }
            case 0xD4C3B2A1 -> { big = false; nanos = false; }
            case 0x4D3CB2A1 -> { big = false; nanos = true; }
            default -> throw notCapture("it starts with " + hex(buf, pos, Math.min(lim - pos, 8)));
        }
        String format = nanos ? "pcap (nanoseconds)" : "pcap";
        fill(24);
        if (lim - pos < 24) {
            throw notCapture("its pcap header is cut short (" + (lim - pos) + " of 24 bytes)");
        }
        int snap = u32(buf, pos + 16, big);
        int linkType = u32(buf, pos + 20, big) & 0x0FFF_FFFF;
        pos += 24;
        long maxCap = Math.min(MAX_RECORD, Math.max(snap & 0xFFFF_FFFFL, 262_144L));
        long packets = 0;
        while (true) {
            fill(16);
            if (lim - pos == 0) {
                return new Result(format, packets, null);
            }
            if (lim - pos < 16) {
                return new Result(format, packets, truncated(packets));
            }
            long sec = u32(buf, pos, big) & 0xFFFF_FFFFL;
            long frac = u32(buf, pos + 4, big) & 0xFFFF_FFFFL;
            long cap = u32(buf, pos + 8, big) & 0xFFFF_FFFFL;
            int orig = u32(buf, pos + 12, big);
            if (cap > maxCap) {
                return new Result(format, packets, "record " + (packets + 1) + " at byte " + (consumed + pos)
                        + " claims " + cap + " bytes (more than the file's snapshot length): the file is corrupt from there on");
            }
            fill(16 + (int) cap);
            if (lim - pos < 16 + cap) {
                return new Result(format, packets, truncated(packets));
            }
            long ts = sec * 1_000_000_000L + (nanos ? frac : frac * 1000L);
            packets++;
            sink.packet(name, linkType, ts, orig, buf, pos + 16, (int) cap);
            pos += 16 + (int) cap;
        }
    }

    private static final class Iface {
        final int linkType;
        final String label;
        final boolean pow2;
        final int exp;
        final long offsetSec;

        Iface(int linkType, String label, boolean pow2, int exp, long offsetSec) {
            this.linkType = linkType;
            this.label = label;
            this.pow2 = pow2;
            this.exp = exp;
            this.offsetSec = offsetSec;
        }

        long nanos(long units) {
            long ns;
            if (pow2) {
                long whole = units >>> exp;
                long rest = units & ((1L << exp) - 1);
                ns = whole * 1_000_000_000L + (exp == 0 ? 0 : (long) (rest * (1e9 / (double) (1L << exp))));
            } else if (exp <= 9) {
                long m = 1;
                for (int i = exp; i < 9; i++) {
                    m *= 10;
                }
                ns = units * m;
            } else {
                long d = 1;
                for (int i = 9; i < exp && i < 27; i++) {
                    d *= 10;
                }
                ns = units / d;
            }
            return ns + offsetSec * 1_000_000_000L;
        }
    }

    private Result pcapng(Sink sink) throws IOException {
        boolean big = true;
        List<Iface> ifaces = new ArrayList<>();
        int totalIfaces = 0;
        long packets = 0;
        boolean first = true;
        while (true) {
            fill(12);
            if (lim - pos == 0) {
                return new Result("pcapng", packets, null);
            }
            if (lim - pos < 12) {
                return new Result("pcapng", packets, truncated(packets));
            }
            int type = u32(buf, pos, big);
            if (u32(buf, pos, true) == SHB) {
                int bom = u32(buf, pos + 8, true);
                if (bom == 0x1A2B3C4D) {
                    big = true;
                } else if (bom == 0x4D3C2B1A) {
                    big = false;
                } else {
                    if (first) {
                        throw notCapture("its pcapng section header has no byte-order magic");
                    }
                    return new Result("pcapng", packets, "a corrupt section header at byte " + (consumed + pos));
                }
                type = SHB;
                ifaces.clear();
            }
            first = false;
            long len = u32(buf, pos + 4, big) & 0xFFFF_FFFFL;
            if (len < 12 || len % 4 != 0 || len > MAX_RECORD) {
                return new Result("pcapng", packets, "block at byte " + (consumed + pos) + " claims " + len
                        + " bytes: the file is corrupt from there on");
            }
            fill((int) len);
            if (lim - pos < len) {
                return new Result("pcapng", packets, truncated(packets));
            }
            int b = pos;
            int end = pos + (int) len - 4;
            switch (type) {
                case 1 -> { // interface description
                    if (end - b >= 16) {
                        int lt = u16(buf, b + 8, big);
                        String ifName = null;
                        boolean pow2 = false;
                        int exp = 6;
                        long offset = 0;
                        int o = b + 16;
                        while (o + 4 <= end) {
                            int code = u16(buf, o, big);
                            int olen = u16(buf, o + 2, big);
                            if (code == 0 || o + 4 + olen > end) {
                                break;
                            }
                            if (code == 2 && olen > 0) {
                                ifName = new String(buf, o + 4, olen, java.nio.charset.StandardCharsets.UTF_8).replace("\0", "");
                            } else if (code == 9 && olen >= 1) {
                                pow2 = (buf[o + 4] & 0x80) != 0;
                                exp = buf[o + 4] & 0x7F;
                                if (pow2 && exp > 62) {
                                    exp = 62;
                                }
                            } else if (code == 14 && olen >= 8) {
                                offset = big ? ((long) u32(buf, o + 4, true) << 32) | (u32(buf, o + 8, true) & 0xFFFF_FFFFL)
                                        : ((long) u32(buf, o + 8, false) << 32) | (u32(buf, o + 4, false) & 0xFFFF_FFFFL);
                            }
                            o += 4 + ((olen + 3) & ~3);
                        }
                        totalIfaces++;
                        String label = ifName != null && !ifName.isEmpty() ? ifName : "if" + (totalIfaces - 1);
                        ifaces.add(new Iface(lt, label, pow2, exp, offset));
                    }
                }
                case 6, 2 -> { // enhanced packet, obsolete packet
                    if (end - b >= 28) {
                        int id = type == 6 ? u32(buf, b + 8, big) : u16(buf, b + 8, big);
                        long hi = u32(buf, b + 12, big) & 0xFFFF_FFFFL;
                        long lo = u32(buf, b + 16, big) & 0xFFFF_FFFFL;
                        int cap = u32(buf, b + 20, big);
                        int orig = u32(buf, b + 24, big);
                        if (id >= 0 && id < ifaces.size() && cap >= 0 && b + 28 + (long) cap <= end) {
                            Iface f = ifaces.get(id);
                            packets++;
                            sink.packet(source(f, totalIfaces), f.linkType, f.nanos(hi << 32 | lo), orig, buf, b + 28, cap);
                        }
                    }
                }
                case 3 -> { // simple packet: interface 0, no timestamp
                    if (end - b >= 12 && !ifaces.isEmpty()) {
                        Iface f = ifaces.get(0);
                        int orig = u32(buf, b + 8, big);
                        int cap = Math.min(orig < 0 ? Integer.MAX_VALUE : orig, end - (b + 12));
                        packets++;
                        sink.packet(source(f, totalIfaces), f.linkType, 0, orig, buf, b + 12, cap);
                    }
                }
                default -> {
                }
            }
            pos += (int) len;
        }
    }

    private String source(Iface f, int interfaces) {
        return interfaces > 1 ? name + ":" + f.label : name;
    }

    private String truncated(long packets) {
        return "the file ends inside a record after " + packets + (packets == 1 ? " packet" : " packets")
                + " (truncated: was its capture stopped before it finished writing?)";
    }

    private K8sCapException notCapture(String why) {
        return new K8sCapException(ExitCode.USAGE, name + " is not a pcap or pcapng file: " + why
                + " (analyze reads what tcpdump -w, Wireshark and k8scap capture write)");
    }

    /** Makes at least {@code n} bytes available from {@code pos}, unless the stream ends first. */
    private void fill(int n) throws IOException {
        if (lim - pos >= n || eof) {
            return;
        }
        if (n > buf.length) {
            byte[] nb = new byte[Math.max(n, Math.min(MAX_RECORD + 64, buf.length * 2))];
            System.arraycopy(buf, pos, nb, 0, lim - pos);
            buf = nb;
        } else if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
        }
        consumed += pos;
        lim -= pos;
        pos = 0;
        while (lim < n) {
            int r = in.read(buf, lim, buf.length - lim);
            if (r < 0) {
                eof = true;
                return;
            }
            lim += r;
        }
    }

    private static int u32(byte[] b, int o, boolean big) {
        return big ? (b[o] & 0xFF) << 24 | (b[o + 1] & 0xFF) << 16 | (b[o + 2] & 0xFF) << 8 | (b[o + 3] & 0xFF)
                : (b[o + 3] & 0xFF) << 24 | (b[o + 2] & 0xFF) << 16 | (b[o + 1] & 0xFF) << 8 | (b[o] & 0xFF);
    }

    private static int u16(byte[] b, int o, boolean big) {
        return big ? (b[o] & 0xFF) << 8 | (b[o + 1] & 0xFF) : (b[o + 1] & 0xFF) << 8 | (b[o] & 0xFF);
    }

    private static String hex(byte[] b, int o, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(String.format("%02x", b[o + i] & 0xFF));
        }
        return s.toString();
    }
}
