package io.k8scap.capture;

import io.k8scap.K8sCapException;
import io.k8scap.node.NodeSession;
import io.k8scap.node.NodeTarget;
import io.k8scap.pcap.PcapHeader;
import io.k8scap.pcap.PcapStreamParser;
import io.k8scap.analysis.Analyzer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One capture: a tcpdump per pod on its node (all started at once; one SSH session per node, one exec
 * channel per pod), each pcap stream parsed as it arrives and written to the {@link CaptureOutput},
 * and one stop for everything: {@link #stop} (Ctrl+C, SIGTERM), --duration, --count, --max-size, or
 * every tcpdump ending by itself. tcpdump's life on the node is tied to the session by
 * {@link RemoteTcpdump} (heartbeat, EOF, hard deadline), so nothing outlives k8scap.
 */
public final class CaptureRun {
    /** How long each tcpdump may take to flush and print its counters after a stop. */
    private static final Duration END_GRACE = Duration.ofSeconds(15);
    /** A tcpdump that has not said "listening" by then is not announced (it may still capture). */
    private static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(20);

    /** What the user set; null when not given. */
    public record Limits(Duration duration, Long maxPackets, Long maxBytes) {}

    /** tcpdump settings shared by all pods. */
    public record TcpdumpSettings(int snaplen, BpfFilter filter, Duration hardDeadline, Duration heartbeatTimeout) {
        /** Backstop on the node when no --duration is given: tcpdump stops by itself after this. */
        public static final Duration DEFAULT_HARD_DEADLINE = Duration.ofHours(12);
        /** The node kills tcpdump when k8scap's heartbeat has been silent this long (cut connection). */
        public static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(15);

        /** For a capture of {@code duration} (null: until stopped): the node's deadline is 30 s later. */
        public static TcpdumpSettings of(int snaplen, BpfFilter filter, Duration duration) {
            return new TcpdumpSettings(snaplen, filter, duration == null ? DEFAULT_HARD_DEADLINE : duration.plusSeconds(30), HEARTBEAT_TIMEOUT);
        }

        /** The tcpdump to run for {@code p}. */
        public TcpdumpSpec spec(CapturePoint p) {
            return new TcpdumpSpec(p.iface(), p.netnsPid(), snaplen, filter, hardDeadline, heartbeatTimeout);
        }
    }

    /** The end of one pod's capture. */
    public record PodResult(CapturePoint point, long packets, long bytes, TcpdumpStats stats, RemoteTcpdump.End end, String error) {}

    /** The whole capture: per pod, totals, why it stopped, and the first failure (null if none). */
    public record Result(List<PodResult> pods, long packets, long bytes, String stopReason, K8sCapException failure) {
        public long droppedByKernel() {
            return pods.stream().mapToLong(p -> p.stats() == null ? 0 : p.stats().droppedByKernel()).sum();
        }

        /** Whether every pod's tcpdump reported its counters (it ended cleanly on the node). */
        public boolean allReported() {
            return pods.stream().allMatch(p -> p.stats() != null);
        }
    }

    private final List<CapturePoint> points;
    private final Map<CapturePoint, RemoteTcpdump> started;
    private final Map<NodeTarget, NodeSession> sessions;
    private final CaptureOutput output;
    private final Limits limits;
    private final TcpdumpSettings tcpdump;
    private final Analyzer summary;
    private final Consumer<String> notices;
    private final Consumer<CapturePoint> onListening;

    private final AtomicLong packets = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicReference<String> stopReason = new AtomicReference<>();
    private final CountDownLatch stopRequested = new CountDownLatch(1);

    /**
     * @param started      tcpdumps already running for some of the points (started on their node's
     *                       locate channel, {@link RemoteTcpdump#locateThenStart}); the others are started here
     * @param summary      fed with every written packet, or null
     * @param onListening  told when a pod's tcpdump listens (packets sent from then on are captured), as each does
     */
    public CaptureRun(List<CapturePoint> points, Map<CapturePoint, RemoteTcpdump> started, Map<NodeTarget, NodeSession> sessions,
                      CaptureOutput output, Limits limits, TcpdumpSettings tcpdump, Analyzer summary, Consumer<String> notices,
                      Consumer<CapturePoint> onListening) {
        this.points = List.copyOf(points);
        this.started = Map.copyOf(started);
        this.sessions = sessions;
        this.output = output;
        this.limits = limits;
        this.tcpdump = tcpdump;
        this.summary = summary;
        this.notices = notices;
        this.onListening = onListening;
    }

    public long packets() {
        return packets.get();
    }

    public long bytes() {
        return bytes.get();
    }

    /** Asks every tcpdump to stop cleanly; returns at once (idempotent; the first reason is kept). */
    public void stop(String reason) {
        stopReason.compareAndSet(null, reason);
        stopRequested.countDown();
    }

    /** Runs the capture to its end. The output is not finished here: the caller commits or aborts it. */
    public Result run() {
        Map<CapturePoint, PcapStreamParser> parsers = new LinkedHashMap<>();
        Map<CapturePoint, RemoteTcpdump> dumps = new LinkedHashMap<>();
        K8sCapException failure = null;
        try {
            // Every pod's source first, then the tcpdumps: a merged output holds a pod's packets back
            // only for sources that exist, so a pod added after another started could come out of order.
            for (CapturePoint p : points) {
                parsers.put(p, new PcapStreamParser(counting(p, output.source(p)), "tcpdump on " + p.node().name()));
            }
            for (CapturePoint p : points) {
                PcapStreamParser parser = parsers.get(p);
                RemoteTcpdump running = started.get(p);
                if (running != null) {
                    running.attach(parser, line -> tcpdumpSaid(p, line));
                    dumps.put(p, running);
                } else {
                    dumps.put(p, RemoteTcpdump.start(sessions.get(p.node()), tcpdump.spec(p), parser, line -> tcpdumpSaid(p, line)));
                }
            }
            // Each pod is announced as soon as its tcpdump listens, whatever the others do.
            Set<CapturePoint> waiting = new LinkedHashSet<>(dumps.keySet());
            long listenDeadline = System.nanoTime() + LISTEN_TIMEOUT.toNanos();
            // --duration counts from the first "capturing" line (a tcpdump listening), as the user sees it,
            // or from the start when none has listened by LISTEN_TIMEOUT.
            long deadline = Long.MAX_VALUE;
            while (!stopRequested.await(pollMillis(waiting.isEmpty(), deadline), TimeUnit.MILLISECONDS)) {
                for (Iterator<CapturePoint> it = waiting.iterator(); it.hasNext(); ) {
                    CapturePoint p = it.next();
                    RemoteTcpdump d = dumps.get(p);
                    if (d.listening()) {
                        onListening.accept(p);
                        it.remove();
                        if (limits.duration() != null && deadline == Long.MAX_VALUE) {
                            deadline = System.nanoTime() + limits.duration().toNanos();
                        }
                    } else if (d.ended() || System.nanoTime() - listenDeadline > 0) {
                        it.remove();
                    }
                }
                if (limits.duration() != null && deadline == Long.MAX_VALUE && System.nanoTime() - listenDeadline > 0) {
                    deadline = listenDeadline - LISTEN_TIMEOUT.toNanos() + limits.duration().toNanos();
                }
                if (dumps.values().stream().allMatch(RemoteTcpdump::ended)) {
                    stop(dumps.size() == 1 ? "tcpdump ended" : "every tcpdump ended");
                } else if (System.nanoTime() >= deadline) {
                    stop("--duration " + DurationText.of(limits.duration()) + " reached");
                } else if (anyFailed(dumps.values())) {
                    // One tcpdump failing (filter error, interface gone) stops the whole capture with its error.
                    stop("tcpdump failed");
                }
            }
            // A stop (--count reached at once, Ctrl+C) can come before the loop saw a tcpdump listen:
            // every pod that did capture is still announced.
            for (CapturePoint p : waiting) {
                if (dumps.get(p).listening()) {
                    onListening.accept(p);
                }
            }
        } catch (K8sCapException e) {
            failure = e;
            stop("error");
        } catch (InterruptedException e) {
            stop("interrupted");
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            failure = new K8sCapException(io.k8scap.ExitCode.FAILURE, "cannot write the capture: " + e.getMessage(), e);
            stop("error");
        }

        for (RemoteTcpdump d : started.values()) {
            if (!dumps.containsValue(d)) {
                d.close(); // started on the node, never reached: it must not run on
            }
        }
        for (RemoteTcpdump d : dumps.values()) {
            d.stop();
        }
        List<PodResult> results = new ArrayList<>();
        for (Map.Entry<CapturePoint, RemoteTcpdump> e : dumps.entrySet()) {
            CapturePoint p = e.getKey();
            RemoteTcpdump d = e.getValue();
            String error = null;
            try {
                d.awaitEnd(END_GRACE);
            } catch (K8sCapException ex) {
                error = ex.getMessage();
                if (failure == null) {
                    failure = ex;
                }
            } finally {
                d.close();
            }
            PcapStreamParser parser = parsers.get(p);
            try {
                parser.close();
            } catch (IOException ex) {
                error = error == null ? ex.getMessage() : error;
            }
            long recordBytes = Math.max(0, parser.bytes() - (parser.header() != null ? PcapHeader.LENGTH : 0));
            results.add(new PodResult(p, parser.records(), recordBytes, d.stats(), d.end(), error));
        }
        return new Result(results, packets.get(), bytes.get(), stopReason.get(), failure);
    }

    /**
     * tcpdump's own stderr reaches the user (filter warnings, errors), except what the run reports
     * itself: "listening on …" (the capturing line) and the closing counters (the summary).
     */
    private void tcpdumpSaid(CapturePoint p, String line) {
        if (!ROUTINE.matcher(line).find()) {
            notices.accept(p.pod().key() + ": " + (line.startsWith("tcpdump:") ? line : "tcpdump: " + line));
        }
    }

    private static final java.util.regex.Pattern ROUTINE = java.util.regex.Pattern.compile(
            "^(tcpdump: listening on |tcpdump: verbose output suppressed|\\d+ packets? (captured|received by filter|dropped by (kernel|interface)))");

    /** How long the run loop waits for a stop: 5 ms while tcpdumps are still starting, else 100 ms, or less to meet --duration. */
    private static long pollMillis(boolean allListening, long deadline) {
        long poll = allListening ? 100 : 5;
        if (deadline != Long.MAX_VALUE) {
            poll = Math.min(poll, Math.max(1, (deadline - System.nanoTime()) / 1_000_000 + 1));
        }
        return poll;
    }

    private static boolean anyFailed(Iterable<RemoteTcpdump> dumps) {
        for (RemoteTcpdump d : dumps) {
            if (d.ended()) {
                try {
                    d.awaitEnd(Duration.ofMillis(1));
                } catch (K8sCapException e) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Counts what is written, enforces --count and --max-size at record boundaries, feeds the summary. */
    private PcapStreamParser.Listener counting(CapturePoint p, PcapStreamParser.Listener next) {
        String source = p.pod().key();
        return new PcapStreamParser.Listener() {
            private int linkType;

            @Override
            public void header(PcapHeader h) throws IOException {
                linkType = h.linkType();
                next.header(h);
            }

            @Override
            public void record(long tsNanos, int capLen, int origLen, byte[] buf, int off, int len) throws IOException {
                if (!admit(len)) {
                    return;
                }
                next.record(tsNanos, capLen, origLen, buf, off, len);
                if (summary != null) {
                    synchronized (summary) {
                        summary.accept(source, linkType, tsNanos, origLen, buf, off + PcapStreamParser.RECORD_HEADER_LENGTH, capLen);
                    }
                }
            }

            @Override
            public void end(boolean truncated) throws IOException {
                next.end(truncated);
            }
        };
    }

    /** Reserves room for one record of {@code len} bytes; false (and a stop) once a limit is reached. */
    private synchronized boolean admit(long len) {
        if (limits.maxPackets() != null && packets.get() >= limits.maxPackets()) {
            return false;
        }
        if (limits.maxBytes() != null && bytes.get() + len > limits.maxBytes()) {
            stop("--max-size reached");
            return false;
        }
        long n = packets.incrementAndGet();
        bytes.addAndGet(len);
        if (limits.maxPackets() != null && n >= limits.maxPackets()) {
            stop("--count " + limits.maxPackets() + " reached");
        }
        return true;
    }
}
