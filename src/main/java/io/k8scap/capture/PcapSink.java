package io.k8scap.capture;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * The caller's pcap stream, counted. A failing stream is not passed back to the SSH library (which
 * would tear the channel down under other channels' feet): the error is kept, further bytes are
 * dropped, and stdin is closed so the node kills tcpdump.
 *
 * <p>For {@link RemoteTcpdump#locateThenStart}: first collects the locate answer (text up to its "done" line;
 * {@link #locateFirst()} again for the next text answer, context.sh's),
 * and holds pcap bytes until {@link RemoteTcpdump#attach} names the stream.
 */
final class PcapSink extends OutputStream {
    /** Pcap bytes held before {@link RemoteTcpdump#attach} beyond this stop the capture (attach comes within ms). */
    private static final int MAX_HELD = 32 << 20;
    private OutputStream out;
    private final Heartbeat heartbeat;
    private volatile long bytes;
    private volatile IOException error;
    private ByteArrayOutputStream held;
    private ByteArrayOutputStream locateText;
    private String locateAnswer;
    private boolean channelEnded;
    private static final byte[] DONE = "done\t-\t".getBytes(StandardCharsets.US_ASCII);
    private int lineLength;
    private boolean lineMatches = true;

    PcapSink(OutputStream out, Heartbeat heartbeat) {
        this.out = out;
        this.heartbeat = heartbeat;
        if (out == null) {
            held = new ByteArrayOutputStream();
        }
    }

    synchronized void locateFirst() {
        locateText = new ByteArrayOutputStream();
        locateAnswer = null;
        lineLength = 0;
        lineMatches = true;
    }

    /** The locate answer (through its "done" line), or null when the channel ended without one. */
    synchronized String awaitLocateAnswer(CompletableFuture<Integer> done) {
        while (locateAnswer == null && !channelEnded) {
            try {
                wait(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                heartbeat.close();
                throw new K8sCapException(ExitCode.INTERRUPTED, "interrupted while locating containers");
            }
        }
        return locateAnswer;
    }

    synchronized String locateText() {
        return locateText == null ? "" : locateText.toString(StandardCharsets.UTF_8);
    }

    synchronized void channelEnded() {
        channelEnded = true;
        notifyAll();
    }

    synchronized void attach(OutputStream to) {
        if (out != null) {
            throw new IllegalStateException("already attached");
        }
        out = to;
        if (held != null && held.size() > 0 && error == null) {
            try {
                held.writeTo(to);
            } catch (IOException e) {
                error = e;
                heartbeat.close();
            }
        }
        held = null;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        if (error != null) {
            return;
        }
        OutputStream to;
        synchronized (this) {
            if (locateText != null && locateAnswer == null) {
                int used = takeLocate(b, off, len);
                off += used;
                len -= used;
                if (len == 0) {
                    return;
                }
            }
            if (out == null) {
                held.write(b, off, len);
                bytes += len;
                if (held.size() > MAX_HELD) {
                    error = new IOException("the capture output was not ready in time");
                    heartbeat.close();
                }
                return;
            }
            to = out;
        }
        try {
            to.write(b, off, len);
            bytes += len;
        } catch (IOException e) {
            error = e;
            heartbeat.close();
        }
    }

    /** Appends to the locate text up to and including its "done" line; returns the bytes used. */
    private int takeLocate(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            byte c = b[i];
            locateText.write(c);
            if (lineLength < DONE.length) {
                lineMatches &= c == DONE[lineLength];
            }
            lineLength++;
            if (c == '\n') {
                if (lineMatches && lineLength > DONE.length) {
                    locateAnswer = locateText.toString(StandardCharsets.UTF_8);
                    notifyAll();
                    return i - off + 1;
                }
                lineLength = 0;
                lineMatches = true;
            }
        }
        return len;
    }

    @Override
    public void flush() {
        OutputStream to;
        synchronized (this) {
            to = out;
        }
        if (error == null && to != null) {
            try {
                to.flush();
            } catch (IOException e) {
                error = e;
                heartbeat.close();
            }
        }
    }

    long bytes() {
        return bytes;
    }

    IOException error() {
        return error;
    }
}
