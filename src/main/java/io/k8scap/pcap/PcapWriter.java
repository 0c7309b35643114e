package io.k8scap.pcap;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes a classic pcap file from the records of ONE source, byte for byte: the global header is
 * re-emitted exactly as received ({@link PcapHeader#toBytes()}), each record (16-byte header + data) is
 * copied unchanged. For a complete stream the output is identical to the input; for a truncated one it
 * is the input up to the last complete record.
 *
 * <p>Writes go straight to {@code out}, one {@code write} per record, no buffer of its own: give it a
 * buffered stream ({@link CaptureFile#out()} is one) and flush it when you want the bytes to leave — e.g.
 * a live {@code -w -} flushes after each chunk it fed the parser. Not thread-safe: called on the parser's
 * thread. {@link #end(boolean)} (parser closed) flushes; {@link #close()} flushes and closes {@code out}.
 */
public final class PcapWriter implements PcapStreamParser.Listener, Closeable {
    private final OutputStream out;
    private PcapHeader header;
    private volatile long records;
    private volatile long bytes;

    public PcapWriter(OutputStream out) {
        if (out == null) {
            throw new NullPointerException("out");
        }
        this.out = out;
    }

    @Override
    public void header(PcapHeader h) throws IOException {
        if (header != null) {
            throw new IllegalStateException("pcap header already written; a PcapWriter takes one stream");
        }
        header = h;
        out.write(h.toBytes());
        bytes = PcapHeader.LENGTH;
    }

    @Override
    public void record(long tsNanos, int capLen, int origLen, byte[] buf, int recordOffset, int recordLength)
            throws IOException {
        if (header == null) {
            throw new IllegalStateException("pcap record before the header");
        }
        out.write(buf, recordOffset, recordLength);
        records++;
        bytes += recordLength;
    }

    @Override
    public void end(boolean truncated) throws IOException {
        out.flush();
    }

    /** The header written, or null before it arrived. */
    public PcapHeader header() {
        return header;
    }

    /** Records written (safe to read from any thread). */
    public long records() {
        return records;
    }

    /** Bytes written, global header included (safe to read from any thread). */
    public long bytes() {
        return bytes;
    }

    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
