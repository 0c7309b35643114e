package io.k8scap.pcap;

/**
 * The 24-byte pcap global header exactly as the producer (tcpdump) wrote it.
 *
 * <p>Refinement of the shared contract: besides the six fields every caller needs, the record keeps
 * {@code thisZone}, {@code sigFigs} and the upper 16 bits of the link-type field
 * ({@code linkTypeFlags}: FCS length and flag bits, 0 in practice), so {@link #toBytes()} re-emits the
 * header byte for byte. The six-argument constructor sets those three to 0, which is what tcpdump writes.
 *
 * @param bigEndian     byte order of the stream (magic read as {@code a1b2c3d4}/{@code a1b23c4d} big-endian)
 * @param nanos         true for the nanosecond magic {@code a1b23c4d}, false for microseconds {@code a1b2c3d4}
 * @param snaplen       the producer's snapshot length
 * @param linkType      LINKTYPE_ value (low 16 bits of the field): 1 Ethernet, 113 Linux SLL, 276 SLL2, 101 raw IP
 */
public record PcapHeader(boolean bigEndian, boolean nanos, int versionMajor, int versionMinor, int snaplen,
                         int linkType, int thisZone, int sigFigs, int linkTypeFlags) {

    public static final int LENGTH = 24;
    public static final int MAGIC_MICROS = 0xa1b2c3d4;
    public static final int MAGIC_NANOS = 0xa1b23c4d;

    /** What tcpdump writes: version 2.4, thiszone 0, sigfigs 0, no FCS bits. */
    public PcapHeader(boolean bigEndian, boolean nanos, int versionMajor, int versionMinor, int snaplen, int linkType) {
        this(bigEndian, nanos, versionMajor, versionMinor, snaplen, linkType, 0, 0, 0);
    }

    /** Decodes the 24 bytes at {@code off}; null when the first four bytes are not a pcap magic. */
    static PcapHeader parse(byte[] b, int off) {
        int be = Bytes.intBE(b, off);
        int le = Bytes.intLE(b, off);
        boolean big;
        boolean nanos;
        if (be == MAGIC_MICROS || be == MAGIC_NANOS) {
            big = true;
            nanos = be == MAGIC_NANOS;
        } else if (le == MAGIC_MICROS || le == MAGIC_NANOS) {
            big = false;
            nanos = le == MAGIC_NANOS;
        } else {
            return null;
        }
        int lt = Bytes.int32(b, off + 20, big);
        return new PcapHeader(big, nanos, Bytes.int16(b, off + 4, big), Bytes.int16(b, off + 6, big),
                Bytes.int32(b, off + 16, big), lt & 0xFFFF, Bytes.int32(b, off + 8, big), Bytes.int32(b, off + 12, big),
                lt >>> 16);
    }

    /** The 24 header bytes in this header's byte order: identical to what was parsed. */
    public byte[] toBytes() {
        byte[] b = new byte[LENGTH];
        Bytes.putInt32(b, 0, nanos ? MAGIC_NANOS : MAGIC_MICROS, bigEndian);
        Bytes.putInt16(b, 4, versionMajor, bigEndian);
        Bytes.putInt16(b, 6, versionMinor, bigEndian);
        Bytes.putInt32(b, 8, thisZone, bigEndian);
        Bytes.putInt32(b, 12, sigFigs, bigEndian);
        Bytes.putInt32(b, 16, snaplen, bigEndian);
        Bytes.putInt32(b, 20, (linkTypeFlags << 16) | (linkType & 0xFFFF), bigEndian);
        return b;
    }
}
