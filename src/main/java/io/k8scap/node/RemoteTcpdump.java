package io.k8scap.node;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One tcpdump on one node for one pod, its life tied to the session: node script {@code capture.sh}
 * runs through one exec channel of {@code session} in a thread of its own. The pcap bytes go to the
 * caller's stream as they arrive (tcpdump {@code -U -w -}, not decoded); tcpdump's stderr lines go
 * to the caller's consumer.
 *
 * <p>Dead man's switch: while running, a heartbeat line goes to the node every
 * min(1 s, heartbeatTimeout/3). The node kills tcpdump when the heartbeat stops (connection cut
 * silently), when stdin reaches EOF (k8scap died, the channel or the connection closed), and at
 * the hard deadline (coreutils {@code timeout}, independent of the script). {@link #stop()} is the
 * clean way: tcpdump gets SIGINT, flushes, and prints its counters ({@link #stats()}).
 */
public final class RemoteTcpdump implements AutoCloseable {
    private static final NodeScript SCRIPT = NodeScript.load("capture");
    private static final Duration CLOSE_STOP_GRACE = Duration.ofSeconds(2);
    private static final Duration CLOSE_KILL_GRACE = Duration.ofSeconds(6);

    /** How tcpdump ended. */
    public enum End {
        /** {@link #stop()}: SIGINT, counters printed. */
        STOPPED,
        /** the hard deadline passed (SIGINT from {@code timeout}, counters printed). */
        DEADLINE,
        /** the node heard no heartbeat for heartbeatTimeout and killed tcpdump. */
        HEARTBEAT_LOST,
        /** the node saw EOF on stdin ({@link #close()}, or k8scap / the connection died) and killed tcpdump. */
        STDIN_CLOSED,
        /** capture.sh itself got a signal and killed tcpdump. */
        SIGNALLED,
        /** tcpdump ended by itself (see {@link #awaitEnd} for failures). */
        EXITED
    }

    private final NodeSession session;
    private final TcpdumpSpec spec;
    private final Heartbeat heartbeat;
    private final PcapSink sink;
    private final StderrLines stderr;
    private final TcpdumpOutput output = new TcpdumpOutput();
    private final CompletableFuture<Integer> done = new CompletableFuture<>();

    private RemoteTcpdump(NodeSession session, TcpdumpSpec spec, OutputStream pcap, Consumer<String> tcpdumpStderr) {
        this.session = session;
        this.spec = spec;
        long hbMillis = spec.heartbeatTimeout().toMillis();
        this.heartbeat = new Heartbeat(Math.max(200, Math.min(1000, hbMillis / 3)));
        this.sink = new PcapSink(pcap, heartbeat);
        this.stderr = new StderrLines(output, tcpdumpStderr == null ? l -> { } : tcpdumpStderr);
    }

    /**
     * Starts tcpdump on the node (returns at once; the exec channel runs in its own thread).
     *
     * @param pcap          receives the pcap stream exactly as tcpdump writes it; not closed here
     * @param tcpdumpStderr receives tcpdump's (and nsenter's, sudo's) stderr lines, not capture.sh's own
     */
    public static RemoteTcpdump start(NodeSession session, TcpdumpSpec spec, OutputStream pcap, Consumer<String> tcpdumpStderr) {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(pcap, "pcap");
        RemoteTcpdump r = new RemoteTcpdump(session, spec, pcap, tcpdumpStderr);
        Thread t = new Thread(r::run, "k8scap-tcpdump " + session.target().name() + " " + spec.iface());
        t.setDaemon(true);
        t.start();
        return r;
    }

    /** capture.sh's positional parameters for {@code spec}. */
    static List<String> args(TcpdumpSpec spec) {
        List<String> a = new ArrayList<>(List.of(
                spec.iface(),
                Long.toString(spec.netnsPid()),
                Integer.toString(spec.snaplen()),
                Long.toString(TcpdumpSpec.wholeSeconds(spec.hardDeadline())),
                Long.toString(TcpdumpSpec.wholeSeconds(spec.heartbeatTimeout())),
                spec.immediateMode() ? "1" : "0"));
        if (spec.filter() != null) {
            a.add(spec.filter());
        }
        return a;
    }

    private void run() {
        try {
            int status = session.run(SCRIPT, args(spec), heartbeat, sink, stderr);
            stderr.finish();
            done.complete(status);
        } catch (Throwable e) {
            stderr.finish();
            done.completeExceptionally(e);
        } finally {
            heartbeat.close();
            synchronized (output) {
                output.notifyAll();
            }
        }
    }

    public TcpdumpSpec spec() {
        return spec;
    }

    /**
     * Waits until tcpdump says it is listening (packets sent after that are captured).
     *
     * @return false when it ended first, or the timeout passed
     */
    public boolean awaitListening(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (output) {
            while (!output.listening() && !done.isDone()) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(output, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return output.listening();
        }
    }

    /** Clean stop: tcpdump gets SIGINT, flushes and prints its counters. Returns at once. */
    public void stop() {
        heartbeat.sendStop();
    }

    /** Whether the channel has ended (tcpdump is no longer running on the node). */
    public boolean ended() {
        return done.isDone();
    }

    /**
     * Waits for tcpdump to end.
     *
     * @return tcpdump's exit status (0 after {@link #stop()} or the deadline)
     * @throws K8sCapException tcpdump missing → UNAVAILABLE naming the node and the remedy; filter
     *         rejected → USAGE with tcpdump's own message; interface (or netns PID) gone → NOT_FOUND;
     *         permission denied → DENIED; connection lost → UNAVAILABLE; not ended within
     *         {@code timeout} → UNAVAILABLE (tcpdump may still be running; {@link #close()} it)
     */
    public int awaitEnd(Duration timeout) {
        int status;
        try {
            status = done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw K8sCapException.unavailable("tcpdump on node " + node() + " (" + spec.where() + ") did not end within "
                    + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new K8sCapException(ExitCode.INTERRUPTED, "interrupted while waiting for tcpdump on node " + node(), e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof K8sCapException k) {
                throw k;
            }
            throw new K8sCapException(ExitCode.FAILURE, "the capture on node " + node() + " failed: " + c, c);
        }
        K8sCapException failure;
        synchronized (output) {
            failure = output.failure(status, node(), spec);
        }
        if (failure != null) {
            throw failure;
        }
        IOException sinkError = sink.error();
        if (sinkError != null) {
            throw new K8sCapException(ExitCode.FAILURE, "cannot write the capture from node " + node() + ": " + sinkError.getMessage(), sinkError);
        }
        return status == 124 ? 0 : status;
    }

    /** How tcpdump ended; null while it runs (or when the channel failed before capture.sh said). */
    public End end() {
        if (!done.isDone() || done.isCompletedExceptionally()) {
            return null;
        }
        synchronized (output) {
            Integer st = output.endStatus();
            return st == null ? null : output.ending(st);
        }
    }

    /** tcpdump's closing counters; null if it printed none (still running, killed hard, never started). */
    public TcpdumpStats stats() {
        synchronized (output) {
            return output.stats();
        }
    }

    /** pcap bytes delivered to the caller's stream so far. */
    public long pcapBytes() {
        return sink.bytes();
    }

    /** Stops tcpdump if it still runs (cleanly, then by closing stdin); waits a few seconds; never throws. */
    @Override
    public void close() {
        if (done.isDone()) {
            return;
        }
        stop();
        if (!waitDone(CLOSE_STOP_GRACE)) {
            heartbeat.close();
            waitDone(CLOSE_KILL_GRACE);
        }
    }

    private boolean waitDone(Duration d) {
        try {
            done.get(d.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            heartbeat.close();
            return true;
        } catch (ExecutionException | RuntimeException e) {
            return true;
        }
    }

    private String node() {
        return session.target().name();
    }

    /**
     * capture.sh's stdin: a heartbeat line every {@code intervalMillis}, "stop" on request, EOF on
     * {@link #close()} (after what was queued). Read by the channel's own pump thread.
     */
    static final class Heartbeat extends InputStream {
        private static final byte[] BEAT = "hb\n".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] STOP = "stop\n".getBytes(StandardCharsets.US_ASCII);
        private final long intervalNanos;
        private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
        private byte[] cur;
        private int pos;
        private boolean closed;
        private long nextBeat = System.nanoTime();

        Heartbeat(long intervalMillis) {
            this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
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

    /**
     * The caller's pcap stream, counted. A failing stream is not passed back to the SSH library (which
     * would tear the channel down under other channels' feet): the error is kept, further bytes are
     * dropped, and stdin is closed so the node kills tcpdump.
     */
    static final class PcapSink extends OutputStream {
        private final OutputStream out;
        private final Heartbeat heartbeat;
        private volatile long bytes;
        private volatile IOException error;

        PcapSink(OutputStream out, Heartbeat heartbeat) {
            this.out = out;
            this.heartbeat = heartbeat;
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
            try {
                out.write(b, off, len);
                bytes += len;
            } catch (IOException e) {
                error = e;
                heartbeat.close();
            }
        }

        @Override
        public void flush() {
            if (error == null) {
                try {
                    out.flush();
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

    /** Splits stderr into lines for {@link TcpdumpOutput}; tcpdump's lines also go to the caller. */
    static final class StderrLines extends OutputStream {
        private static final int MAX_LINE = 8192;
        private final TcpdumpOutput output;
        private final Consumer<String> consumer;
        private final byte[] buf = new byte[MAX_LINE];
        private int len;

        StderrLines(TcpdumpOutput output, Consumer<String> consumer) {
            this.output = output;
            this.consumer = consumer;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                line();
            } else if (len < MAX_LINE) {
                buf[len++] = (byte) b;
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int n) {
            for (int i = off; i < off + n; i++) {
                write(b[i]);
            }
        }

        synchronized void finish() {
            if (len > 0) {
                line();
            }
        }

        private void line() {
            int n = len;
            if (n > 0 && buf[n - 1] == '\r') {
                n--;
            }
            String l = new String(buf, 0, n, StandardCharsets.UTF_8);
            len = 0;
            boolean theirs;
            synchronized (output) {
                theirs = output.accept(l);
                output.notifyAll();
            }
            if (theirs) {
                try {
                    consumer.accept(l);
                } catch (RuntimeException e) {
                    // the caller's printer failed; the capture goes on
                }
            }
        }
    }
}
