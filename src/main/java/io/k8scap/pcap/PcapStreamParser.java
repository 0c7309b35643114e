package io.k8scap.pcap;

import io.k8scap.Escape;
import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Push parser for a classic pcap stream: write the bytes as they arrive, in any chunking; the listener
 * gets {@link Listener#header} once and {@link Listener#record} once per complete record, then
 * {@link Listener#end} once when the parser is closed.
 *
 * <p>Framing is plain Java: both magics ({@code a1b2c3d4} µs, {@code a1b23c4d} ns) in both byte orders,
 * version 2.x. When a whole record lies inside the written chunk it is handed to the listener straight
 * from the caller's array (no copy); otherwise it is assembled in one reusable buffer, which grows to the
 * largest record seen and never beyond {@link #maxRecordLength()}. Not thread-safe: one producer thread
 * (the SSH channel's) writes.
 *
 * <p>Errors, thrown as {@link K8sCapException} with exit code {@link ExitCode#FAILURE}, and sticky (every
 * later write throws the same exception; {@link #failure()} returns it):
 * <ul>
 *   <li>the stream does not start with a pcap magic — the message names the stream and shows its first
 *       bytes, escaped, as text and hex (typically a shell or tcpdump message printed to stdout);</li>
 *   <li>a record claims more bytes than {@code max(snaplen, 262144)} (capped at 64 MiB) — a corrupt stream.</li>
 * </ul>
 * FAILURE, not UNAVAILABLE: the parser sees only bytes and cannot know why the producer misbehaved; the
 * caller, which also sees tcpdump's stderr and exit status, maps the cases it understands (tcpdump missing,
 * bad filter) to their own codes before it ever looks at this one.
 *
 * <p>A stream that ends mid-header or mid-record is not an error: {@link #close()} sets
 * {@link #truncated()} and nothing partial is ever delivered.
 */
public final class PcapStreamParser extends OutputStream {

    /** Receives the parsed stream. Called on the thread that writes into the parser. */
    public interface Listener {
        void header(PcapHeader h) throws IOException;

        /**
         * One complete record. {@code buf[recordOffset .. recordOffset+recordLength)} = the 16-byte record
         * header + the {@code capLen} captured bytes, in the stream's byte order, exactly as received; the
         * packet data starts at {@code recordOffset + 16}. {@code tsNanos} = timestamp in ns since the epoch.
         * The array is only valid during the call (it may be the parser's buffer or the writer's chunk).
         */
        void record(long tsNanos, int capLen, int origLen, byte[] buf, int recordOffset, int recordLength)
                throws IOException;

        /** Called once by {@link PcapStreamParser#close()}: the stream ended (cut mid-record when truncated). */
        default void end(boolean truncated) throws IOException {
        }
    }

    /** Record header length. */
    public static final int RECORD_HEADER_LENGTH = 16;
    private static final int DEFAULT_MAX_CAPLEN = 262_144;
    private static final int HARD_MAX_CAPLEN = 64 << 20;
    private static final int SHOW_BYTES = 48;

    private final Listener listener;
    private final String streamName;
    private byte[] buf = new byte[RECORD_HEADER_LENGTH + 65_536];
    private int have;          // bytes of the current unit (header or record) held in buf
    private int need;          // total length of the current record once its header is known, else -1
    private PcapHeader header;
    private boolean big;
    private boolean nanos;
    private int maxCapLen = DEFAULT_MAX_CAPLEN;
    private long records;
    private long bytes;
    private boolean closed;
    private boolean truncated;
    private K8sCapException failure;

    public PcapStreamParser(Listener l) {
        this(l, "pcap stream");
    }

    /** @param streamName names the stream in error messages, e.g. {@code "tcpdump on lab-node-1 for ns/pod"} */
    public PcapStreamParser(Listener l, String streamName) {
        if (l == null) {
            throw new NullPointerException("listener");
        }
        this.listener = l;
        this.streamName = streamName;
        this.need = -1;
    }

    /** Complete records delivered so far. */
    public long records() {
        return records;
    }

    /** Bytes written into the parser so far (header and partial data included). */
    public long bytes() {
        return bytes;
    }

    /** True after {@link #close()} when the stream ended inside the global header or a record. */
    public boolean truncated() {
        return truncated;
    }

    /** The global header once received, else null. */
    public PcapHeader header() {
        return header;
    }

    /** The error that stopped parsing, or null. */
    public K8sCapException failure() {
        return failure;
    }

    /** Largest capLen accepted for this stream: {@code max(snaplen, 262144)}, at most 64 MiB. */
    public int maxRecordLength() {
        return maxCapLen;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (closed) {
            throw new IOException(streamName + ": parser already closed");
        }
        if ((off | len) < 0 || len > b.length - off) {
            throw new IndexOutOfBoundsException();
        }
        bytes += len;
        while (len > 0) {
            if (header == null) {
                int n = Math.min(PcapHeader.LENGTH - have, len);
                System.arraycopy(b, off, buf, have, n);
                have += n;
                off += n;
                len -= n;
                if (have >= 4 && PcapHeader.parse(buf, 0) == null || have < 4 && !magicPrefix(buf, have)) {
                    throw fail(notPcap(b, off, len));
                }
                if (have == PcapHeader.LENGTH) {
                    acceptHeader();
                }
                continue;
            }
            if (have == 0 && len >= RECORD_HEADER_LENGTH) {
                // Fast path: the record lies entirely in the caller's chunk.
                int total = RECORD_HEADER_LENGTH + capLen(b, off);
                if (len >= total) {
                    deliver(b, off, total);
                    off += total;
                    len -= total;
                    continue;
                }
            }
            if (need < 0) {
                int n = Math.min(RECORD_HEADER_LENGTH - have, len);
                System.arraycopy(b, off, buf, have, n);
                have += n;
                off += n;
                len -= n;
                if (have < RECORD_HEADER_LENGTH) {
                    break;
                }
                need = RECORD_HEADER_LENGTH + capLen(buf, 0);
                if (buf.length < need) {
                    byte[] bigger = new byte[Math.max(need, Math.min(buf.length * 2, RECORD_HEADER_LENGTH + maxCapLen))];
                    System.arraycopy(buf, 0, bigger, 0, have);
                    buf = bigger;
                }
            }
            int n = Math.min(need - have, len);
            System.arraycopy(b, off, buf, have, n);
            have += n;
            off += n;
            len -= n;
            if (have == need) {
                have = 0;
                need = -1;
                deliver(buf, 0, RECORD_HEADER_LENGTH + capLenUnchecked(buf, 0));
            }
        }
    }

    /**
     * Ends the stream: sets {@link #truncated()} if it stopped inside the header or a record (the partial
     * bytes are dropped), then calls {@link Listener#end(boolean)}. A stream of fewer than 4 bytes that
     * cannot begin a pcap magic fails like any other garbage. Idempotent.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (failure == null) {
                if (header == null && have > 0 && !magicPrefix(buf, Math.min(have, 4))) {
                    throw fail(notPcap(buf, 0, 0));
                }
                truncated = have > 0;
            }
        } finally {
            have = 0;
            listener.end(truncated);
        }
    }

    private void acceptHeader() throws IOException {
        PcapHeader h = PcapHeader.parse(buf, 0);
        if (h.versionMajor() != 2) {
            throw fail(new K8sCapException(ExitCode.FAILURE, streamName + " is not a pcap stream k8scap can read: version "
                    + h.versionMajor() + "." + h.versionMinor() + " (expected 2.x); check the tcpdump/libpcap on the node"));
        }
        header = h;
        big = h.bigEndian();
        nanos = h.nanos();
        long snap = h.snaplen() & 0xFFFFFFFFL;
        maxCapLen = (int) Math.min(HARD_MAX_CAPLEN, Math.max(DEFAULT_MAX_CAPLEN, snap));
        have = 0;
        listener.header(h);
    }

    private int capLenUnchecked(byte[] b, int off) {
        return Bytes.int32(b, off + 8, big);
    }

    private int capLen(byte[] b, int off) {
        int c = Bytes.int32(b, off + 8, big);
        if (c < 0 || c > maxCapLen) {
            throw fail(new K8sCapException(ExitCode.FAILURE, streamName + " is corrupt: record " + (records + 1)
                    + " claims " + Integer.toUnsignedString(c) + " captured bytes (snaplen "
                    + Integer.toUnsignedString(header.snaplen()) + "); the capture stops here, records before it are kept"));
        }
        return c;
    }

    private void deliver(byte[] b, int off, int total) throws IOException {
        long sec = Bytes.int32(b, off, big) & 0xFFFFFFFFL;
        long frac = Bytes.int32(b, off + 4, big) & 0xFFFFFFFFL;
        long ts = sec * 1_000_000_000L + (nanos ? frac : frac * 1000L);
        records++;
        listener.record(ts, total - RECORD_HEADER_LENGTH, Bytes.int32(b, off + 12, big), b, off, total);
    }

    private K8sCapException fail(K8sCapException e) {
        failure = e;
        return e;
    }

    private static final byte[][] MAGICS = {
        {(byte) 0xa1, (byte) 0xb2, (byte) 0xc3, (byte) 0xd4}, {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1},
        {(byte) 0xa1, (byte) 0xb2, (byte) 0x3c, (byte) 0x4d}, {(byte) 0x4d, (byte) 0x3c, (byte) 0xb2, (byte) 0xa1},
    };

    private static boolean magicPrefix(byte[] b, int n) {
        outer:
        for (byte[] m : MAGICS) {
            for (int i = 0; i < n; i++) {
                if (b[i] != m[i]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Message showing the first bytes: those in the header buffer followed by the rest of the current chunk. */
    private K8sCapException notPcap(byte[] rest, int off, int len) {
        int n1 = Math.min(have, SHOW_BYTES);
        int n2 = Math.min(len, SHOW_BYTES - n1);
        byte[] shown = new byte[n1 + n2];
        System.arraycopy(buf, 0, shown, 0, n1);
        System.arraycopy(rest, off, shown, n1, n2);
        StringBuilder text = new StringBuilder();
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < shown.length; i++) {
            int c = shown[i] & 0xFF;
            text.append(c >= 0x20 && c < 0x7F ? (char) c : c == '\n' ? "\\n" : c == '\t' ? "\\t" : "\\x" + String.format("%02x", c));
            if (i < 8) {
                hex.append(hex.length() == 0 ? "" : " ").append(String.format("%02x", c));
            }
        }
        return new K8sCapException(ExitCode.FAILURE, Escape.controls(streamName, false)
                + " is not a pcap stream: it starts with \"" + text + "\" (hex " + hex
                + "), expected magic a1b2c3d4 or a1b23c4d; something on the node printed to tcpdump's stdout");
    }
}
