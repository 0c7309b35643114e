package io.k8scap.cli;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.capture.CaptureOutput;
import io.k8scap.capture.CapturePlanner;
import io.k8scap.capture.CapturePoint;
import io.k8scap.capture.CaptureRun;
import io.k8scap.capture.DurationText;
import io.k8scap.capture.OutputNames;
import io.k8scap.cluster.KubeClients;
import io.k8scap.cluster.KubeConnection;
import io.k8scap.cluster.KubeSettings;
import io.k8scap.cluster.ResolvedPod;
import io.k8scap.cluster.TargetQuery;
import io.k8scap.cluster.TargetResolver;
import io.k8scap.node.ContainerLocation;
import io.k8scap.node.ContainerRef;
import io.k8scap.node.NodeFacts;
import io.k8scap.node.NodeFanOut;
import io.k8scap.node.NodeSession;
import io.k8scap.node.NodeTarget;
import io.k8scap.node.RemoteTcpdump;
import io.k8scap.node.pod.NodeAccessChooser;
import io.k8scap.pcap.CaptureFile;
import io.k8scap.pcap.TrafficSummary;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code k8scap capture}: the node's tcpdump for each chosen pod, streamed back into one local file
 * (pcap for one pod, pcapng merged by time for several), stdout or Wireshark — and nothing left
 * running on any node, whatever happens to k8scap (see {@link io.k8scap.node.RemoteTcpdump}).
 */
@Command(name = "capture",
        sortOptions = false,
        header = "Stream pod traffic from the node's tcpdump to a pcap file, stdout or Wireshark.",
        description = {
            "Finds each pod's node and host-side interface (as locate does), runs tcpdump there over one",
            "SSH connection per node, and streams the packets back as they arrive. Several pods become one",
            "pcapng merged by time with one interface per pod. tcpdump ends on the node whatever happens",
            "to k8scap (Ctrl+C, kill -9, a cut connection): a heartbeat and a deadline tie it to the session.",
            "",
            "  capture TARGET [FILTER…]      TARGET: pod, KIND/NAME, or workload name",
            "  capture -l SELECTOR [FILTER…] FILTER: a BPF expression (or --filter)"
        },
        footer = {"%nExamples:",
            "  k8scap capture -n flyte flyteadmin --duration 30s",
            "  k8scap capture -n flyte flyteadmin -w - 'tcp port 8088' | wireshark -k -i -",
            "  k8scap capture -n flyte -l app=flyteadmin -w all.pcapng",
            "  k8scap capture -n flyte flyteadmin --inside --interface lo --count 100"})
final class CaptureCommand implements Callable<Integer> {
    private static final int NODE_PARALLELISM = 8;
    /** Backstop on the node when no --duration is given: tcpdump stops by itself after this. */
    static final Duration DEFAULT_HARD_DEADLINE = Duration.ofHours(12);
    /** The node kills tcpdump when k8scap's heartbeat has been silent this long (cut connection). */
    static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(15);

    @Spec
    CommandSpec spec;

    @ParentCommand
    RootCommand root;

    @Parameters(arity = "0..*", paramLabel = "TARGET [FILTER]",
            description = "Pod, KIND/NAME or workload name, then an optional BPF filter (with -l: only the filter).")
    List<String> positionals = new ArrayList<>();

    @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", description = "Label selector, as kubectl's.")
    String selector;

    @Option(names = {"-c", "--container"}, paramLabel = "NAME",
            description = "Container whose network namespace is used (the containers of a pod share it).")
    String container;

    @Option(names = {"-A", "--all-namespaces"}, description = "With -l: pods in every namespace.")
    boolean allNamespaces;

    @Option(names = "--filter", paramLabel = "BPF", description = "BPF filter (instead of trailing arguments).")
    String filter;

    @Option(names = {"-w", "--write"}, paramLabel = "FILE",
            description = "Output file, or - for stdout (default: <ns>_<pod>_<UTC>.pcap; .pcapng for several pods).")
    String write;

    @Option(names = "--wireshark", description = "Start Wireshark on this machine reading the stream live.")
    boolean wireshark;

    @Option(names = "--split", description = "Several pods: one pcap file per pod instead of one merged pcapng.")
    boolean split;

    @Option(names = "--force", description = "Overwrite an existing output file.")
    boolean force;

    @Option(names = "--inside", description = "Capture inside the pod's network namespace instead of on its host-side peer.")
    boolean inside;

    @Option(names = "--interface", paramLabel = "IFACE",
            description = "Interface inside the pod: eth0, lo or any (lo and any imply --inside).")
    String podInterface;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class, description = "Stop after this long (e.g. 30s, 5m).")
    Duration duration;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N packets in total.")
    Long count;

    @Option(names = "--max-size", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Stop before the packets written exceed SIZE (e.g. 100M).")
    Long maxSize;

    @Option(names = {"-s", "--snaplen"}, paramLabel = "BYTES", defaultValue = "262144", description = "Bytes kept of each packet (default: ${DEFAULT-VALUE}).")
    int snaplen;

    @Option(names = "--max-pods", paramLabel = "N", defaultValue = "10", description = "Refuse to capture more pods than this (default: ${DEFAULT-VALUE}).")
    int maxPods;

    @Option(names = "--summary", description = "Afterwards, show what looks wrong: unanswered SYNs, resets, ICMP unreachable, DNS errors, retransmissions.")
    boolean summary;

    @Mixin
    KubeOptions kube;

    @Mixin
    OutputOptions output;

    @Mixin
    NodeAccessOptions nodeAccess;

    @Mixin
    NodeViaOptions via;

    @Override
    public Integer call() throws IOException, InterruptedException {
        List<String> targets = selector == null && !positionals.isEmpty() ? List.of(positionals.get(0)) : List.of();
        String bpf = bpf();
        PrintStream stdout = root.rawOut();
        boolean toStdout = "-".equals(write);
        validate(targets, bpf, stdout);
        if (write != null && !toStdout) {
            CaptureFile.check(Path.of(write), force); // before anything starts on a node
        }
        Notices notices = new Notices(spec.commandLine().getErr());

        // The API connection stays open for the whole capture: helper pods (--via pod|auto) run through it.
        try (KubeConnection kc = KubeClients.connect(new KubeSettings(kube.kubeconfig, kube.context, kube.namespace))) {
            List<ResolvedPod> pods = new TargetResolver(kc.client(), notices)
                    .resolve(new TargetQuery(kc.namespace(), allNamespaces, targets, selector, container));
            if (pods.size() > maxPods) {
                throw new K8sCapException(ExitCode.USAGE, pods.size() + " pods match, more than --max-pods " + maxPods
                        + "; narrow the target (a pod name, -l) or raise --max-pods");
            }
            Map<NodeTarget, List<ResolvedPod>> byNode = PodsByNode.group(kc.client(), pods, nodeAccess.nodeAddress);
            NodeAccessChooser access = new NodeAccessChooser(kc.client(), nodeAccess.settings(),
                    via.podSettings(duration == null ? DEFAULT_HARD_DEADLINE : duration.plusMinutes(1)), notices, Logging.verbosity() > 1);
            Map<NodeTarget, NodeSession> sessions = new ConcurrentHashMap<>();
            Map<CapturePoint, RemoteTcpdump> started = new ConcurrentHashMap<>();
            CaptureRun.TcpdumpSettings settings = new CaptureRun.TcpdumpSettings(snaplen, bpf,
                    duration == null ? DEFAULT_HARD_DEADLINE : duration.plusSeconds(30), HEARTBEAT_TIMEOUT);
            try {
                List<CapturePoint> points = locate(byNode, access, sessions, started, settings, notices);
                return capture(points, started, sessions, settings, targets, stdout, toStdout, notices);
            } finally {
                started.values().forEach(RemoteTcpdump::close); // at once when they ended; else they are stopped
                sessions.values().forEach(NodeSession::close);
            }
        }
    }

    /**
     * One session per node (SSH or a helper pod; kept open for the capture), one locate run for its
     * pods, and where to capture each. The first pod of each node that can be captured gets its
     * tcpdump started on that same locate channel ({@link RemoteTcpdump#locateThenStart}: one sshd
     * session less before the first packet); the other pods' are started by the {@link CaptureRun}.
     */
    private List<CapturePoint> locate(Map<NodeTarget, List<ResolvedPod>> byNode, NodeAccessChooser access, Map<NodeTarget, NodeSession> sessions,
                                      Map<CapturePoint, RemoteTcpdump> started, CaptureRun.TcpdumpSettings settings,
                                      Notices notices) throws InterruptedException {
        List<NodeFanOut.Outcome<List<Planned>>> outcomes = NodeFanOut.run(new ArrayList<>(byNode.keySet()), NODE_PARALLELISM, node -> {
            List<ResolvedPod> onNode = byNode.get(node);
            NodeSession session = access.open(node, via.via, onNode.get(0).namespace());
            sessions.put(node, session);
            List<Planned> planned = new ArrayList<>(); // per pod, in order
            RemoteTcpdump.Located located = RemoteTcpdump.locateThenStart(session,
                    onNode.stream().map(p -> ContainerRef.parse(p.containerId())).toList(), settings.heartbeatTimeout(), facts -> {
                        for (int i = 0; i < onNode.size(); i++) {
                            planned.add(plan(onNode.get(i), node, facts, facts.containers().get(i), notices));
                        }
                        return planned.stream().map(Planned::point).filter(java.util.Objects::nonNull)
                                .findFirst().map(settings::spec).orElse(null);
                    });
            if (located.tcpdump() != null) {
                planned.stream().map(Planned::point).filter(java.util.Objects::nonNull).findFirst()
                        .ifPresent(first -> started.put(first, located.tcpdump()));
            }
            return planned;
        });
        List<CapturePoint> points = new ArrayList<>();
        K8sCapException first = null;
        for (NodeFanOut.Outcome<List<Planned>> o : outcomes) {
            List<ResolvedPod> onNode = byNode.get(o.node());
            for (int i = 0; i < onNode.size(); i++) {
                Planned planned = o.ok() ? o.value().get(i) : new Planned(null, o.failure());
                if (planned.point() != null) {
                    points.add(planned.point());
                } else {
                    K8sCapException e = planned.error();
                    first = first == null ? e : first;
                    if (byNode.values().stream().mapToInt(List::size).sum() > 1) {
                        notices.error(onNode.get(i).key() + ": " + e.getMessage());
                    }
                }
            }
        }
        if (points.isEmpty()) {
            throw first;
        }
        if (first != null) {
            notices.accept("capturing the other " + points.size() + " pod(s)");
        }
        return points;
    }

    /** Where one pod is captured ({@code point}), or why it cannot be ({@code error}). */
    private record Planned(CapturePoint point, K8sCapException error) {}

    /** Where to capture one located pod, or why it cannot be. */
    private Planned plan(ResolvedPod pod, NodeTarget node, NodeFacts facts, ContainerLocation loc, Notices notices) {
        try {
            if (loc.ok() && !facts.tools().containsKey("tcpdump")) {
                throw K8sCapException.unavailable("tcpdump is not installed on node " + node.name()
                        + ": install it there (apt-get install tcpdump, dnf install tcpdump), or capture from a helper pod with --via pod");
            }
            return new Planned(CapturePlanner.plan(pod, node, loc, inside, podInterface, notices), null);
        } catch (K8sCapException e) {
            return new Planned(null, e);
        }
    }

    private int capture(List<CapturePoint> points, Map<CapturePoint, RemoteTcpdump> started, Map<NodeTarget, NodeSession> sessions,
                        CaptureRun.TcpdumpSettings settings, List<String> targets, PrintStream stdout, boolean toStdout,
                        Notices notices) throws IOException {
        boolean merged = points.size() > 1 && !split;
        Instant now = Instant.now();
        CaptureFile file = null;
        Process viewer = null;
        OutputStream sink;
        CaptureOutput out;
        String destination;
        if (split && points.size() > 1) {
            out = CaptureOutput.split(p -> Path.of(OutputNames.single(p.pod().namespace(), p.pod().name(), now)), force);
            sink = null;
            destination = "one pcap file per pod";
        } else {
            List<OutputStream> streams = new ArrayList<>();
            // Wireshark first: when it cannot start, no file has been created that would need removing.
            if (wireshark) {
                viewer = startWireshark();
            }
            try {
                if (toStdout) {
                    streams.add(stdout == System.out ? new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16) : stdout);
                } else if (write != null || !wireshark) {
                    String name = write != null ? write : merged
                            ? OutputNames.merged(points.get(0).pod().namespace(), targets.isEmpty() ? selector : targets.get(0), now)
                            : OutputNames.single(points.get(0).pod().namespace(), points.get(0).pod().name(), now);
                    file = CaptureFile.create(Path.of(name), force);
                    streams.add(file.out());
                }
            } catch (RuntimeException e) {
                if (viewer != null) {
                    viewer.destroy();
                }
                throw e;
            }
            if (viewer != null) {
                streams.add(new BufferedOutputStream(viewer.getOutputStream(), 1 << 16));
            }
            sink = streams.size() == 1 ? streams.get(0) : new Tee(streams);
            out = merged ? CaptureOutput.merged(sink, file) : CaptureOutput.single(sink, file);
            destination = toStdout ? "stdout" : file != null ? file.finalPath().toString() : "Wireshark";
        }

        TrafficSummary traffic = summary || output.format == OutputOptions.Format.json || output.format == OutputOptions.Format.yaml
                ? new TrafficSummary() : null;
        CaptureRun run = new CaptureRun(points, started, sessions, out, new CaptureRun.Limits(duration, count, maxSize), settings,
                traffic, notices, p -> notices.accept("capturing " + p.pod().key() + " on " + p.node().name() + " (" + p.where() + ") → " + destination));

        Progress progress = Progress.start(spec.commandLine().getErr(), run, points.size(), !Logging.quiet() && Tty.isTerminal(2) && stdout == System.out);
        CaptureRun.Result result;
        try (Signals signals = new Signals(() -> run.stop("interrupted (Ctrl+C)"), () -> run.stop("terminated (SIGTERM)"),
                () -> run.stop("hung up (SIGHUP)"))) {
            result = run.run();
        } finally {
            progress.close();
        }

        List<Path> files;
        if (result.failure() != null && result.packets() == 0) {
            files = out.abort();
        } else {
            try {
                files = out.finish();
            } catch (IOException | K8sCapException e) {
                files = out.abort();
                notices.error("cannot complete the capture file: " + e.getMessage() + (files.isEmpty() ? "" : "; what was written is in " + files));
                return ExitCode.FAILURE.code();
            }
        }
        if (sink != null && toStdout) {
            sink.flush();
        }
        if (viewer != null) {
            viewer.getOutputStream().close();
        }
        report(result, files, destination, traffic, notices);
        return result.failure() == null ? 0 : result.failure().exitCode().code();
    }

    private void report(CaptureRun.Result r, List<Path> files, String destination, TrafficSummary traffic, Notices notices) {
        if (r.failure() != null) {
            notices.error(r.failure().getMessage());
        }
        String where = files.isEmpty() ? destination : files.size() == 1 ? files.get(0).toString() : files.size() + " files " + files;
        StringBuilder line = new StringBuilder("stopped");
        if (r.stopReason() != null) {
            line.append(" (").append(r.stopReason()).append(')');
        }
        line.append(": ").append(Human.count(r.packets())).append(r.packets() == 1 ? " packet" : " packets")
                .append(" (").append(Human.bytes(r.bytes())).append(") written to ").append(where);
        if (r.pods().stream().anyMatch(p -> p.stats() != null)) {
            line.append("; node reported ").append(Human.count(r.droppedByKernel())).append(" dropped by kernel");
        }
        Set<String> nodes = new LinkedHashSet<>();
        r.pods().forEach(p -> nodes.add(p.point().node().name()));
        line.append("; tcpdump on ").append(String.join(", ", nodes)).append(r.allReported() ? " ended" : " stopped");
        if (!Logging.quiet() || r.failure() != null) {
            spec.commandLine().getErr().println(Terminal.sanitize(line.toString()));
            if (r.pods().size() > 1) {
                for (CaptureRun.PodResult p : r.pods()) {
                    spec.commandLine().getErr().println(Terminal.sanitize("  " + p.point().pod().key() + " on " + p.point().node().name()
                            + ": " + Human.count(p.packets()) + " packets, " + Human.bytes(p.bytes())
                            + (p.stats() == null ? "" : ", " + p.stats().droppedByKernel() + " dropped by kernel")));
                }
            }
            spec.commandLine().getErr().flush();
        }
        TrafficSummary.Report summaryReport = traffic == null ? null : traffic.report();
        if (summary && summaryReport != null && !Logging.quiet()) {
            SummaryText.print(summaryReport, spec.commandLine().getErr());
        }
        if (output.format == OutputOptions.Format.json || output.format == OutputOptions.Format.yaml) {
            List<PodView> podViews = r.pods().stream().map(p -> new PodView(p.point().pod().namespace(), p.point().pod().name(),
                    p.point().node().name(), p.point().iface(), p.point().insidePod(), p.packets(), p.bytes(),
                    p.stats() == null ? null : p.stats().captured(), p.stats() == null ? null : p.stats().droppedByKernel(),
                    p.end() == null ? null : p.end().name(), p.error())).toList();
            Printer.of(output, spec.commandLine().getOut()).object(new CaptureView(files.stream().map(Path::toString).toList(),
                    r.packets(), r.bytes(), r.stopReason(), podViews, summaryReport), "");
        }
    }

    record PodView(String namespace, String pod, String node, String iface, boolean insidePod, long packets, long bytes,
                   Long tcpdumpCaptured, Long droppedByKernel, String end, String error) {}

    record CaptureView(List<String> files, long packets, long bytes, String stopReason, List<PodView> pods, TrafficSummary.Report summary) {}

    private String bpf() {
        List<String> rest = selector == null && !positionals.isEmpty() ? positionals.subList(1, positionals.size()) : positionals;
        if (!rest.isEmpty() && filter != null) {
            throw new ParameterException(spec.commandLine(), "give the filter either as trailing arguments or with --filter, not both");
        }
        return filter != null ? filter : rest.isEmpty() ? null : String.join(" ", rest);
    }

    private void validate(List<String> targets, String bpf, PrintStream stdout) {
        if (targets.isEmpty() && selector == null) {
            throw new ParameterException(spec.commandLine(), "capture needs a TARGET (pod, KIND/NAME or workload name) or -l SELECTOR");
        }
        if (allNamespaces && kube.namespace != null) {
            throw new ParameterException(spec.commandLine(), "-A and -n cannot be used together");
        }
        boolean toStdout = "-".equals(write);
        if (toStdout && stdout == System.out && Tty.isTerminal(1)) {
            throw new ParameterException(spec.commandLine(), "refusing to write pcap bytes to a terminal: pipe it (-w - | wireshark -k -i -) or name a file with -w");
        }
        if (toStdout && (output.format == OutputOptions.Format.json || output.format == OutputOptions.Format.yaml)) {
            throw new ParameterException(spec.commandLine(), "-w - puts the packets on stdout, so -o json|yaml cannot go there too");
        }
        if (split && (toStdout || wireshark || write != null)) {
            throw new ParameterException(spec.commandLine(), "--split writes one file per pod with default names; it cannot be combined with -w or --wireshark");
        }
        if (count != null && count <= 0) {
            throw new ParameterException(spec.commandLine(), "--count must be at least 1");
        }
        if (duration != null && duration.isZero()) {
            throw new ParameterException(spec.commandLine(), "--duration must be more than 0");
        }
        if (snaplen < 1 || snaplen > 262144) {
            throw new ParameterException(spec.commandLine(), "--snaplen must be 1..262144");
        }
        if (maxPods < 1) {
            throw new ParameterException(spec.commandLine(), "--max-pods must be at least 1");
        }
        if (podInterface != null && !podInterface.matches("[A-Za-z0-9_.@:-]{1,15}")) {
            throw new ParameterException(spec.commandLine(), "'" + podInterface + "' is not an interface name (e.g. eth0, lo, any)");
        }
        if (bpf != null && bpf.indexOf('\0') >= 0) {
            throw new ParameterException(spec.commandLine(), "the filter cannot contain a NUL character");
        }
    }

    private static Process startWireshark() {
        try {
            return new ProcessBuilder("wireshark", "-k", "-i", "-")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw K8sCapException.unavailable("cannot start wireshark on this machine (" + e.getMessage()
                    + "); install it, or pipe instead: k8scap capture … -w - | wireshark -k -i -");
        }
    }

    /** Writes to several streams (a file and Wireshark). */
    private static final class Tee extends OutputStream {
        private final List<OutputStream> outs;

        Tee(List<OutputStream> outs) {
            this.outs = outs;
        }

        @Override
        public void write(int b) throws IOException {
            for (OutputStream o : outs) {
                o.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (OutputStream o : outs) {
                o.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            for (OutputStream o : outs) {
                o.flush();
            }
        }
    }
}
