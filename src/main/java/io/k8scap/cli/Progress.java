package io.k8scap.cli;

import io.k8scap.capture.CaptureRun;
import io.k8scap.capture.DurationText;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * The capture's progress line on stderr, redrawn in place twice a second — only when stderr is a
 * terminal (and not -q): logs and CI output get the final summary only.
 */
final class Progress implements AutoCloseable {
    private final PrintWriter err;
    private final Thread thread;

    private Progress(PrintWriter err, Thread thread) {
        this.err = err;
        this.thread = thread;
    }

    static Progress start(PrintWriter err, CaptureRun run, int pods, boolean enabled) {
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
                    Thread.sleep(500);
                    long now = System.nanoTime();
                    long bytes = run.bytes();
                    double seconds = (now - lastTime) / 1e9;
                    rate = seconds > 0 ? (bytes - lastBytes) / seconds : rate;
                    lastBytes = bytes;
                    lastTime = now;
                    String line = "  " + Human.count(run.packets()) + " packets  " + Human.bytes(bytes) + "  "
                            + Human.bytes((long) rate) + "/s  " + DurationText.clock(Duration.ofNanos(now - started))
                            + (pods > 1 ? "  (" + pods + " pods)" : "");
                    synchronized (err) {
                        err.print("\r\033[K" + line);
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
            err.print("\r\033[K");
            err.flush();
        }
    }
}
