package io.k8scap.cli;

import io.k8scap.capture.CaptureRun;
import io.k8scap.capture.DurationText;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The capture's progress line on stderr, redrawn in place twice a second — only when stderr is a
 * terminal (and not -q): logs and CI output get the final summary only.
 */
final class Progress implements AutoCloseable {
    /** Moves to the start of the line and erases it: every redraw starts with this, and close() ends with it. */
    static final String ERASE_LINE = "\r\033[K";
    static final Duration INTERVAL = Duration.ofMillis(500);

    private final PrintWriter err;
    private final Thread thread;

    private Progress(PrintWriter err, Thread thread) {
        this.err = err;
        this.thread = thread;
    }

    static Progress start(PrintWriter err, CaptureRun run, int pods, boolean enabled) {
        return start(err, run::packets, run::bytes, pods, enabled, INTERVAL);
    }

    /** {@code packets} and {@code bytes}: the running totals, read on each redraw. */
    static Progress start(PrintWriter err, LongSupplier packets, LongSupplier bytes, int pods, boolean enabled, Duration interval) {
        if (!enabled) {
            return new Progress(err, null);
        }
        long started = System.nanoTime();
        Thread t = new Thread(() -> {
            long lastBytes = 0;
            long lastTime = started;
            double rate = 0;
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(interval.toMillis());
                    long now = System.nanoTime();
                    long b = bytes.getAsLong();
                    double seconds = (now - lastTime) / 1e9;
                    rate = seconds > 0 ? (b - lastBytes) / seconds : rate;
                    lastBytes = b;
                    lastTime = now;
                    String line = line(packets.getAsLong(), b, (long) rate, Duration.ofNanos(now - started), pods);
                    synchronized (err) {
                        err.print(ERASE_LINE + line);
                        err.flush();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "k8scap-progress");
        t.setDaemon(true);
        t.start();
        return new Progress(err, t);
    }

    /** One frame: {@code   1,204 packets  1.3 MB  42.0 kB/s  00:01:05  (3 pods)} (the pod count only when several). */
    static String line(long packets, long bytes, long bytesPerSecond, Duration elapsed, int pods) {
        return "  " + Human.count(packets) + " packets  " + Human.bytes(bytes) + "  " + Human.bytes(bytesPerSecond) + "/s  "
                + DurationText.clock(elapsed) + (pods > 1 ? "  (" + pods + " pods)" : "");
    }

    @Override
    public void close() {
        if (thread == null) {
            return;
        }
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (err) {
            err.print(ERASE_LINE);
            err.flush();
        }
    }
}
