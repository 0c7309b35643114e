package io.k8scap.pcap;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one pcapng section (little-endian), following draft-ietf-opsawg-pcapng:
 * <ul>
 *   <li>SHB: byte-order magic {@code 0x1A2B3C4D}, version 1.0, section length -1 (unknown), option
 *       shb_userappl(4) = "k8scap VERSION", opt_endofopt;</li>
 *   <li>one IDB per source ({@link #addInterface}): link type, snaplen, options if_name(2),
 *       if_description(3), if_tsresol(9) = 9 for nanosecond sources (absent = the default 10^-6), opt_endofopt;</li>
 *   <li>an NRB ({@link #addNames}): nrb_record_ipv4(1) / nrb_record_ipv6(2) entries, an address and its
 *       name, nrb_record_end; Wireshark and tshark use them when name resolution is on ({@code -N n});</li>
 *   <li>EPBs: interface id, 64-bit timestamp in the interface's resolution, captured/original length,
 *       data padded to 32 bits, no options.</li>
 * </ul>
 * IDBs may be added at any time (a pod whose stream starts late); a packet may only name an interface
 * added before it. Writes go straight to {@code out} (give it a buffered stream; {@link #flush()} pushes
 * the bytes on). Not thread-safe: one thread writes (in a merge, the merger thread).
 */
public final class PcapngWriter implements Closeable {
    static final int SHB = 0x0A0D0D0A;
    static final int IDB = 0x00000001;
    static final int EPB = 0x00000006;
    static final int NRB = 0x00000004;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;

    private OutputStream out;
    private final RotatingFiles files;
    private final byte[] sectionHeader;
    private final List<byte[]> interfaceBlocks = new ArrayList<>();
    private final List<Boolean> nanosById = new ArrayList<>();
    private final byte[] epb = new byte[28];
    private final byte[] trailer = new byte[8];
    private volatile long packets;
    private volatile long bytes;

    /** Writes the SHB with shb_userappl "k8scap VERSION" (the jar's Implementation-Version, else "dev"). */
    public PcapngWriter(OutputStream out) throws IOException {
        this(out, "k8scap " + version());
    }

    /** Writes the SHB with the given shb_userappl. */
    public PcapngWriter(OutputStream out, String userAppl) throws IOException {
        this(out, null, userAppl);
    }

    /**
     * Writes into a series of files: each new file of {@code files} starts with the SHB and every
     * IDB added so far, so it opens on its own; packets keep their interface ids.
     */
    public PcapngWriter(RotatingFiles files) throws IOException {
        this(files, List.of());
    }

    /** Into {@code files}, with an SHB opt_comment per entry of {@code comments} (in every file). */
    public PcapngWriter(RotatingFiles files, List<String> comments) throws IOException {
        this(files.out(), files, "k8scap " + version(), comments);
    }

    /**
     * Writes the SHB with shb_userappl "k8scap VERSION" and one opt_comment(1) per entry of
     * {@code comments} (Wireshark keeps and shows them: capinfos' "Capture comment"); a comment is cut
     * at {@link #MAX_COMMENT} bytes.
     */
    public PcapngWriter(OutputStream out, List<String> comments) throws IOException {
        this(out, null, "k8scap " + version(), comments);
    }

    /** The longest comment kept whole (an option holds at most 65535 bytes). */
    public static final int MAX_COMMENT = 60_000;

    private PcapngWriter(OutputStream out, RotatingFiles files, String userAppl) throws IOException {
        this(out, files, userAppl, List.of());
    }

    private PcapngWriter(OutputStream out, RotatingFiles files, String userAppl, List<String> comments) throws IOException {
        if (out == null) {
            throw new NullPointerException("out");
        }
        this.out = out;
        this.files = files;
        Block b = new Block(SHB);
        b.int32(BYTE_ORDER_MAGIC);
        b.int16(1);
        b.int16(0);
        b.int32(-1);
        b.int32(-1); // section length -1: not specified
        for (String c : comments) {
            byte[] text = c.getBytes(StandardCharsets.UTF_8);
            if (text.length > MAX_COMMENT) {
                String cut = "\n… (cut at " + MAX_COMMENT + " bytes)\n";
                byte[] tail = cut.getBytes(StandardCharsets.UTF_8);
                int keep = MAX_COMMENT - tail.length;
                while (keep > 0 && (text[keep] & 0xC0) == 0x80) {
                    keep--; // not inside a UTF-8 character
                }
                byte[] t = java.util.Arrays.copyOf(text, keep + tail.length);
                System.arraycopy(tail, 0, t, keep, tail.length);
                text = t;
            }
            b.option(1, text);
        }
        b.option(4, userAppl);
        b.endOfOptions();
        sectionHeader = b.finish();
        writeBlock(sectionHeader);
    }

    /** Same as {@link #addInterface(int, int, String, String, boolean)} with microsecond resolution. */
    public int addInterface(int linkType, int snaplen, String name, String description) throws IOException {
        return addInterface(linkType, snaplen, name, description, false);
    }

    /**
     * Writes an IDB and returns its interface id (0, 1, 2, … in order of addition).
     *
     * @param nanos true to declare if_tsresol 9 (ns) — use the source's {@link PcapHeader#nanos()} so
     *              timestamps are stored at exactly the source's resolution
     * @param name  if_name (e.g. {@code ns/pod}); null or empty = no option
     * @param description if_description (e.g. {@code node iface}); null or empty = no option
     */
    public int addInterface(int linkType, int snaplen, String name, String description, boolean nanos)
            throws IOException {
        Block b = new Block(IDB);
        b.int16(linkType);
        b.int16(0);
        b.int32(snaplen);
        b.option(2, name);
        b.option(3, description);
        if (nanos) {
            b.option(9, new byte[] {9});
        }
        b.endOfOptions();
        byte[] idb = b.finish();
        writeBlock(idb);
        interfaceBlocks.add(idb);
        nanosById.add(nanos);
        return nanosById.size() - 1;
    }

    /**
     * Writes a Name Resolution Block: each address (IPv4 dotted, or IPv6 text) with its name (e.g. a pod's
     * {@code ns/name}). Addresses that are not IP literals are skipped; nothing is written for an empty map.
     */
    public void addNames(java.util.Map<String, String> names) throws IOException {
        Block b = new Block(NRB);
        int n = 0;
        for (java.util.Map.Entry<String, String> e : names.entrySet()) {
            byte[] addr = ipLiteral(e.getKey());
            if (addr == null || e.getValue() == null || e.getValue().isEmpty()) {
                continue;
            }
            byte[] name = e.getValue().getBytes(StandardCharsets.UTF_8);
            byte[] value = java.util.Arrays.copyOf(addr, addr.length + name.length + 1); // name zero-terminated
            System.arraycopy(name, 0, value, addr.length, name.length);
            b.option(addr.length == 4 ? 1 : 2, value);
            n++;
        }
        if (n == 0) {
            return;
        }
        b.endOfOptions(); // nrb_record_end: type 0, length 0
        writeBlock(b.finish());
    }

    /** The bytes of an IPv4 or IPv6 literal, or null (never a DNS lookup). */
    static byte[] ipLiteral(String s) {
        if (s == null || s.isEmpty() || !(s.indexOf(':') >= 0 || s.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')))) {
            return null;
        }
        try {
            return java.net.InetAddress.getByName(s).getAddress();
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    /**
     * Writes an EPB for {@code capLen} bytes at {@code buf[off]}. {@code tsNanos} is converted to the
     * interface's resolution (µs: divided by 1000, exact for µs sources).
     */
    public void writePacket(int interfaceId, long tsNanos, int capLen, int origLen, byte[] buf, int off)
            throws IOException {
        if (interfaceId < 0 || interfaceId >= nanosById.size()) {
            throw new IllegalArgumentException("pcapng interface " + interfaceId + " was not added");
        }
        long ts = nanosById.get(interfaceId) ? tsNanos : Math.floorDiv(tsNanos, 1000L);
        int pad = (4 - (capLen & 3)) & 3;
        int total = 32 + capLen + pad;
        if (files != null && files.beforeRecord(total, this::writeSectionStart)) {
            out = files.out();
        }
        Bytes.putIntLE(epb, 0, EPB);
        Bytes.putIntLE(epb, 4, total);
        Bytes.putIntLE(epb, 8, interfaceId);
        Bytes.putIntLE(epb, 12, (int) (ts >>> 32));
        Bytes.putIntLE(epb, 16, (int) ts);
        Bytes.putIntLE(epb, 20, capLen);
        Bytes.putIntLE(epb, 24, origLen);
        out.write(epb, 0, 28);
        out.write(buf, off, capLen);
        // padding bytes (zero) followed by the trailing total length
        trailer[0] = 0;
        trailer[1] = 0;
        trailer[2] = 0;
        Bytes.putIntLE(trailer, pad, total);
        out.write(trailer, 0, pad + 4);
        packets++;
        bytes += total;
        if (files != null) {
            files.wroteRecord(total);
        }
    }

    /** What every file of a rotated capture starts with: the SHB, then the IDBs added so far. */
    private void writeSectionStart(OutputStream to) throws IOException {
        to.write(sectionHeader);
        for (byte[] idb : interfaceBlocks) {
            to.write(idb);
        }
    }

    /** Packets (EPBs) written; safe to read from any thread. */
    public long packets() {
        return packets;
    }

    /** Bytes written, all blocks included; safe to read from any thread. */
    public long bytes() {
        return bytes;
    }

    public void flush() throws IOException {
        out.flush();
    }

    /** Flushes and closes {@code out}. */
    @Override
    public void close() throws IOException {
        out.close();
    }

    private void writeBlock(byte[] data) throws IOException {
        out.write(data);
        bytes += data.length;
        if (files != null) {
            files.wroteHeader(data.length);
        }
    }

    static String version() {
        String v = PcapngWriter.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** A small non-EPB block built in memory. */
    private static final class Block {
        private byte[] b = new byte[256];
        private int n = 8;

        Block(int type) {
            Bytes.putIntLE(b, 0, type);
        }

        private void room(int k) {
            if (n + k > b.length) {
                b = java.util.Arrays.copyOf(b, Math.max(b.length * 2, n + k + 16));
            }
        }

        void int32(int v) {
            room(4);
            Bytes.putIntLE(b, n, v);
            n += 4;
        }

        void int16(int v) {
            room(2);
            Bytes.putInt16(b, n, v, false);
            n += 2;
        }

        void option(int code, String value) {
            if (value != null && !value.isEmpty()) {
                option(code, value.getBytes(StandardCharsets.UTF_8));
            }
        }

        void option(int code, byte[] value) {
            if (value.length > 0xFFFF) {
                value = java.util.Arrays.copyOf(value, 0xFFFF);
            }
            int pad = (4 - (value.length & 3)) & 3;
            room(4 + value.length + pad);
            int16(code);
            int16(value.length);
            System.arraycopy(value, 0, b, n, value.length);
            n += value.length + pad; // padding stays zero
        }

        void endOfOptions() {
            int32(0); // opt_endofopt: code 0, length 0
        }

        byte[] finish() {
            room(4);
            int total = n + 4;
            Bytes.putIntLE(b, 4, total);
            Bytes.putIntLE(b, n, total);
            return java.util.Arrays.copyOf(b, total);
        }
    }
}
