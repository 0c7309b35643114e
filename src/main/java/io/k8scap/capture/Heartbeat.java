package io.k8scap.capture;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * capture.sh's stdin: a heartbeat line every {@code intervalMillis}, "stop" on request, EOF on
 * {@link #close()} (after what was queued). Read by the channel's own pump thread.
 */
final class Heartbeat extends InputStream {
    private static final byte[] BEAT = "hb\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STOP = "stop\n".getBytes(StandardCharsets.US_ASCII);
    private final long intervalNanos;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private byte[] cur;
    private int pos;
    private boolean closed;
    private long nextBeat = System.nanoTime();
    /** Heartbeats flow only once armed: before, the script reads parameters from stdin. */
    private boolean armed;

    Heartbeat(long intervalMillis) {
        this(intervalMillis, true);
    }

    Heartbeat(long intervalMillis, boolean armed) {
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
        this.armed = armed;
    }

    /** Sends {@code lines} (one per line), then heartbeats. */
    synchronized void arm(List<String> lines) {
        if (closed) {
            return;
        }
        send(lines);
        armed = true;
        nextBeat = System.nanoTime() + intervalNanos;
    }

    /** Sends {@code lines} (one per line) without arming: the script still reads parameters. */
    synchronized void send(List<String> lines) {
        if (closed) {
            return;
        }
        StringBuilder b = new StringBuilder();
        for (String l : lines) {
            b.append(l).append('\n');
        }
        queue.add(b.toString().getBytes(StandardCharsets.UTF_8));
        notifyAll();
    }

    synchronized void sendStop() {
        if (!closed) {
            queue.add(STOP);
            notifyAll();
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            if (cur != null && pos < cur.length) {
                int n = Math.min(len, cur.length - pos);
                System.arraycopy(cur, pos, b, off, n);
                pos += n;
                return n;
            }
            if (!queue.isEmpty()) {
                cur = queue.poll();
                pos = 0;
                continue;
            }
            if (closed) {
                return -1;
            }
            if (!armed) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    closed = true;
                    return -1;
                }
                continue;
            }
            long now = System.nanoTime();
            if (now - nextBeat >= 0) {
                cur = BEAT;
                pos = 0;
                nextBeat = now + intervalNanos;
                continue;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, nextBeat - now);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closed = true;
                return -1;
            }
        }
    }
}
