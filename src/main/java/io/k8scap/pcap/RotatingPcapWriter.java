package io.k8scap.pcap;

import java.io.IOException;

/**
 * {@link PcapWriter} over a series of files ({@link RotatingFiles}): the records of ONE source, byte
 * for byte, each file starting with the source's own global header. Called on the parser's thread.
 */
public final class RotatingPcapWriter implements PcapStreamParser.Listener {
    private final RotatingFiles files;
    private PcapHeader header;
    private volatile long records;

    public RotatingPcapWriter(RotatingFiles files) {
        this.files = files;
    }

    @Override
    public void header(PcapHeader h) throws IOException {
        if (header != null) {
            throw new IllegalStateException("pcap header already written; a RotatingPcapWriter takes one stream");
        }
        header = h;
        files.out().write(h.toBytes());
        files.wroteHeader(PcapHeader.LENGTH);
    }

    @Override
    public void record(long tsNanos, int capLen, int origLen, byte[] buf, int recordOffset, int recordLength) throws IOException {
        if (header == null) {
            throw new IllegalStateException("pcap record before the header");
        }
        files.beforeRecord(recordLength, out -> out.write(header.toBytes()));
        files.out().write(buf, recordOffset, recordLength);
        files.wroteRecord(recordLength);
        records++;
    }

    @Override
    public void end(boolean truncated) throws IOException {
        files.out().flush();
    }

    /** Records written, in all files (safe to read from any thread). */
    public long records() {
        return records;
    }
}
