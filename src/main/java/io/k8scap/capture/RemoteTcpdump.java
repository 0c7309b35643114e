package io.k8scap.capture;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.node.ContainerRef;
import io.k8scap.node.NodeFacts;
import io.k8scap.node.NodeLocator;
import io.k8scap.node.NodeScript;
import io.k8scap.node.NodeSession;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
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
 * runs through one exec channel of {@code session} in a thread of its own and reads its parameters,
 * then heartbeats, on stdin ({@link Heartbeat}). The pcap bytes go to the caller's stream as they
 * arrive, on the SSH library's thread ({@link PcapSink}: tcpdump {@code -U -w -}, not decoded);
 * tcpdump's stderr lines go to the caller's consumer and to {@link TcpdumpOutput} ({@link StderrLines}).
 *
 * <p>Dead man's switch: while running, a heartbeat line goes to the node every
 * min(1 s, heartbeatTimeout/3). The node kills tcpdump when the heartbeat stops (connection cut
 * silently), when stdin reaches EOF (k8scap died, the channel or the connection closed), and at
 * the hard deadline (coreutils {@code timeout}, independent of the script). {@link #stop()} is the
 * clean way: tcpdump gets SIGINT, flushes, and prints its counters ({@link #stats()}).
 */
public final class RemoteTcpdump implements AutoCloseable {
    private static final NodeScript SCRIPT = NodeScript.load("capture");
    /** locate.sh then capture.sh on one channel ({@link #locateThenStart}). */
    private static final NodeScript LOCATE_THEN_CAPTURE = NodeScript.load("locate-capture");
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
    private RemoteTcpdump(NodeSession session, TcpdumpSpec spec, Duration heartbeatTimeout, OutputStream pcap,
                          Consumer<String> tcpdumpStderr) {
        this.session = session;
        this.spec = spec;
        long hbMillis = heartbeatTimeout.toMillis();
        this.heartbeat = new Heartbeat(Math.max(200, Math.min(1000, hbMillis / 3)), false);
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
        RemoteTcpdump r = new RemoteTcpdump(session, spec, spec.heartbeatTimeout(), pcap, tcpdumpStderr == null ? l -> { } : tcpdumpStderr);
        r.heartbeat.arm(parameters(spec));
        r.startThread(SCRIPT.commandLine(List.of(), session.sudo()), spec.iface());
        return r;
    }

    /**
     * What one {@link #locateThenStart} found and started.
     *
     * @param context context.sh's answer (see {@link PodContext#parse}), or null when none was asked
     */
    public record Located(NodeFacts facts, RemoteTcpdump tcpdump, String context) {
        public Located(NodeFacts facts, RemoteTcpdump tcpdump) {
            this(facts, tcpdump, null);
        }
    }

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
        return locateThenStart(session, containers, heartbeatTimeout, null, choose);
    }

    /**
     * As {@link #locateThenStart(NodeSession, List, Duration, Function)}, and between the locate answer
     * and {@code choose}, on the same channel, the network context of the pods {@code context} names
     * (its lines, {@link PodContext#request}; null or empty: none asked).
     */
    public static Located locateThenStart(NodeSession session, List<ContainerRef> containers, Duration heartbeatTimeout,
                                          Function<NodeFacts, List<String>> context, Function<NodeFacts, TcpdumpSpec> choose) {
        Objects.requireNonNull(choose, "choose");
        RemoteTcpdump r = new RemoteTcpdump(session, null, heartbeatTimeout, null, null);
        r.sink.locateFirst();
        r.startThread(LOCATE_THEN_CAPTURE.commandLine(NodeLocator.specs(containers), session.sudo()), "locate");
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
        String contextAnswer = null;
        List<String> request = context == null ? null : context.apply(facts);
        if (request != null && request.size() > 2) {
            r.sink.locateFirst();
            r.heartbeat.send(request);
            contextAnswer = r.sink.awaitLocateAnswer(r.done);
            if (contextAnswer == null) {
                contextAnswer = r.sink.locateText(); // the channel ended: what came, if anything
            }
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
            return new Located(facts, null, contextAnswer);
        }
        r.spec = spec;
        r.heartbeat.arm(parameters(spec));
        return new Located(facts, r, contextAnswer);
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
     * capture.sh's parameters, as it reads them on stdin, one per line: "capture", the six settings,
     * then the filter's line count and its lines. The one way the filter reaches the node, for the
     * first pod of a node (after its locate answer) as for the others: exact whatever it holds.
     */
    static List<String> parameters(TcpdumpSpec spec) {
        List<String> p = new ArrayList<>(List.of(
                "capture",
                spec.iface(),
                Long.toString(spec.netnsPid()),
                Integer.toString(spec.snaplen()),
                Long.toString(TcpdumpSpec.wholeSeconds(spec.hardDeadline())),
                Long.toString(TcpdumpSpec.wholeSeconds(spec.heartbeatTimeout())),
                spec.immediateMode() ? "1" : "0"));
        if (spec.filter() == null) {
            p.add("0");
        } else {
            List<String> lines = List.of(spec.filter().text().split("\n", -1));
            p.add(Integer.toString(lines.size()));
            p.addAll(lines);
        }
        return p;
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
}
