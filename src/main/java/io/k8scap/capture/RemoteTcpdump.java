package io.k8scap.capture;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.node.ContainerRef;
import io.k8scap.node.NodeFacts;
import io.k8scap.node.NodeLocator;
import io.k8scap.node.NodeScript;
import io.k8scap.node.NodeSession;
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
import java.util.function.Function;

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
    private volatile TcpdumpSpec spec;
    private final Heartbeat heartbeat;
    private final PcapSink sink;
    private final StderrLines stderr;
    private final TcpdumpOutput output = new TcpdumpOutput();
    private final CompletableFuture<Integer> done = new CompletableFuture<>();

    /**
     * @param spec  null when not known yet ({@link #locateThenStart}); set before tcpdump starts
     * @param pcap  null: buffered until {@link #attach}
     */
    private RemoteTcpdump(NodeSession session, TcpdumpSpec spec, Duration heartbeatTimeout, boolean armed, OutputStream pcap,
                          Consumer<String> tcpdumpStderr) {
        this.session = session;
        this.spec = spec;
        long hbMillis = heartbeatTimeout.toMillis();
        this.heartbeat = new Heartbeat(Math.max(200, Math.min(1000, hbMillis / 3)), armed);
        this.sink = new PcapSink(pcap, heartbeat);
        this.stderr = new StderrLines(output, tcpdumpStderr);
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
        RemoteTcpdump r = new RemoteTcpdump(session, spec, spec.heartbeatTimeout(), true, pcap, tcpdumpStderr == null ? l -> { } : tcpdumpStderr);
        r.startThread(SCRIPT.commandLine(args(spec), session.sudo()), spec.iface());
        return r;
    }

    /** What one {@link #locateThenStart} found and started. */
    public record Located(NodeFacts facts, RemoteTcpdump tcpdump) {}

    /**
     * Locates {@code containers} (as {@link NodeLocator#locate}) and then starts tcpdump for one of
     * them on the SAME exec channel: the node runs locate.sh, k8scap reads its answer, picks with
     * {@code choose} what to capture, and sends tcpdump's parameters on the channel's stdin, where
     * capture.sh then reads heartbeats as usual. One sshd session (or pods/exec) instead of two:
     * on a node where each costs ~0.1 s, that is the time to the first packet (docs/capture.md).
     *
     * <p>Blocks until the locate answer is in and {@code choose} has run; tcpdump then runs in its
     * own thread. Its pcap bytes and stderr lines are held until {@link #attach}.
     *
     * @param choose given the located facts, the tcpdump to start; null to start none (the channel ends)
     * @return the facts, and the started tcpdump (null when {@code choose} returned null or threw)
     * @throws K8sCapException as {@link NodeLocator#locate}; a RuntimeException from {@code choose} is
     *         rethrown after the channel was told to end
     */
    public static Located locateThenStart(NodeSession session, List<ContainerRef> containers, Duration heartbeatTimeout,
                                          Function<NodeFacts, TcpdumpSpec> choose) {
        Objects.requireNonNull(choose, "choose");
        RemoteTcpdump r = new RemoteTcpdump(session, null, heartbeatTimeout, false, null, null);
        List<String> specs = NodeLocator.specs(containers);
        NodeScript combined = NodeScript.of("locate-capture", LOCATE_THEN_CAPTURE);
        r.sink.locateFirst();
        r.startThread(combined.commandLine(specs, session.sudo()), "locate");
        String answer = r.sink.awaitLocateAnswer(r.done);
        if (answer == null && r.done.isCompletedExceptionally()) {
            try {
                r.done.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof K8sCapException k) {
                    throw k;
                }
                throw K8sCapException.unavailable("cannot run the locate script on node " + session.target().name() + ": " + e.getCause());
            }
        }
        NodeFacts facts;
        try {
            facts = NodeLocator.interpret(session, containers, answer != null ? 0 : r.exitStatusOr(-1),
                    answer != null ? answer : r.sink.locateText(), r.stderr.lastLine());
        } catch (RuntimeException e) {
            r.heartbeat.close();
            throw e;
        }
        TcpdumpSpec spec;
        try {
            spec = choose.apply(facts);
        } catch (RuntimeException e) {
            r.heartbeat.close();
            throw e;
        }
        if (spec == null) {
            r.heartbeat.close();
            return new Located(facts, null);
        }
        r.spec = spec;
        List<String> lines = new ArrayList<>();
        lines.add("capture");
        List<String> a = new ArrayList<>(args(spec));
        while (a.size() < 7) {
            a.add("");
        }
        for (String v : a) {
            // tcpdump reads a newline in a filter as a space: one parameter per line stays exact
            lines.add(v.replace('\n', ' ').replace('\r', ' '));
        }
        r.heartbeat.arm(lines);
        return new Located(facts, r);
    }

    /**
     * Where the pcap bytes and tcpdump's stderr lines go, for a tcpdump from {@link #locateThenStart};
     * what arrived before is delivered first. Once only.
     */
    public void attach(OutputStream pcap, Consumer<String> tcpdumpStderr) {
        Objects.requireNonNull(pcap, "pcap");
        stderr.attach(tcpdumpStderr == null ? l -> { } : tcpdumpStderr);
        sink.attach(pcap);
    }

    private void startThread(String commandLine, String what) {
        Thread t = new Thread(() -> run(commandLine), "k8scap-tcpdump " + session.target().name() + " " + what);
        t.setDaemon(true);
        t.start();
    }

    private int exitStatusOr(int fallback) {
        try {
            return done.isDone() && !done.isCompletedExceptionally() ? done.get() : fallback;
        } catch (InterruptedException | ExecutionException e) {
            return fallback;
        }
    }

    /**
     * locate.sh, then (stdin) "capture" and capture.sh's seven parameters one per line, then capture.sh
     * itself. Locate's stderr is dropped (its answer carries its errors); anything but "capture" on
     * stdin, EOF, or 30 s of silence (a connection cut while k8scap decides) ends it before tcpdump.
     */
    private static final String LOCATE_THEN_CAPTURE = "(\n" + NodeScript.load(NodeLocator.SCRIPT).compactText()
            + ") </dev/null 2>/dev/null\n"
            + "k8scap_st=$?\n"
            + "[ \"$k8scap_st\" -eq 0 ] || exit \"$k8scap_st\"\n"
            + "( trap 'kill $! 2>/dev/null; exit 0' TERM; sleep 30 & wait $!; kill -TERM $$ 2>/dev/null ) </dev/null >/dev/null 2>&1 &\n"
            + "k8scap_w=$!\n"
            + "IFS= read -r k8scap_go || { kill \"$k8scap_w\" 2>/dev/null; exit 0; }\n"
            + "[ \"$k8scap_go\" = capture ] || { kill \"$k8scap_w\" 2>/dev/null; exit 0; }\n"
            + "set --\n"
            + "for k8scap_i in 1 2 3 4 5 6 7; do\n"
            + "    IFS= read -r k8scap_a || { kill \"$k8scap_w\" 2>/dev/null; exit 0; }\n"
            + "    set -- \"$@\" \"$k8scap_a\"\n"
            + "done\n"
            + "kill \"$k8scap_w\" 2>/dev/null\n"
            + SCRIPT.compactText();

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

    private void run(String commandLine) {
        try {
            int status = session.exec(commandLine, heartbeat, sink, stderr);
            stderr.finish();
            done.complete(status);
        } catch (Throwable e) {
            stderr.finish();
            done.completeExceptionally(e);
        } finally {
            heartbeat.close();
            sink.channelEnded();
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

    /** Whether tcpdump has said it is listening. */
    public boolean listening() {
        synchronized (output) {
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
            StringBuilder b = new StringBuilder();
            for (String l : lines) {
                b.append(l).append('\n');
            }
            queue.add(b.toString().getBytes(StandardCharsets.UTF_8));
            armed = true;
            nextBeat = System.nanoTime() + intervalNanos;
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

    /**
     * The caller's pcap stream, counted. A failing stream is not passed back to the SSH library (which
     * would tear the channel down under other channels' feet): the error is kept, further bytes are
     * dropped, and stdin is closed so the node kills tcpdump.
     *
     * <p>For {@link #locateThenStart}: first collects the locate answer (text up to its "done" line),
     * and holds pcap bytes until {@link #attach} names the stream.
     */
    static final class PcapSink extends OutputStream {
        /** Pcap bytes held before {@link #attach} beyond this stop the capture (attach comes within ms). */
        private static final int MAX_HELD = 32 << 20;
        private OutputStream out;
        private final Heartbeat heartbeat;
        private volatile long bytes;
        private volatile IOException error;
        private java.io.ByteArrayOutputStream held;
        private java.io.ByteArrayOutputStream locateText;
        private String locateAnswer;
        private boolean channelEnded;
        private static final byte[] DONE = "done\t-\t".getBytes(StandardCharsets.US_ASCII);
        private int lineLength;
        private boolean lineMatches = true;

        PcapSink(OutputStream out, Heartbeat heartbeat) {
            this.out = out;
            this.heartbeat = heartbeat;
            if (out == null) {
                held = new java.io.ByteArrayOutputStream();
            }
        }

        synchronized void locateFirst() {
            locateText = new java.io.ByteArrayOutputStream();
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

    /** Splits stderr into lines for {@link TcpdumpOutput}; tcpdump's lines also go to the caller. */
    static final class StderrLines extends OutputStream {
        private static final int MAX_LINE = 8192;
        private final TcpdumpOutput output;
        private Consumer<String> consumer;
        private final List<String> held = new ArrayList<>();
        private final byte[] buf = new byte[MAX_LINE];
        private int len;
        private String lastLine = "";

        /** @param consumer null: lines are held until {@link #attach} */
        StderrLines(TcpdumpOutput output, Consumer<String> consumer) {
            this.output = output;
            this.consumer = consumer;
        }

        synchronized void attach(Consumer<String> to) {
            consumer = to;
            for (String l : held) {
                deliver(l);
            }
            held.clear();
        }

        synchronized String lastLine() {
            return lastLine;
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
            if (!l.isBlank()) {
                lastLine = l;
            }
            if (theirs) {
                if (consumer == null) {
                    held.add(l);
                } else {
                    deliver(l);
                }
            }
        }

        private void deliver(String l) {
            try {
                consumer.accept(l);
            } catch (RuntimeException e) {
                // the caller's printer failed; the capture goes on
            }
        }
    }
}
