package io.k8scap.cli;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.capture.BpfFilter;
import io.k8scap.capture.CaptureDestination;
import io.k8scap.capture.CapturePoint;
import io.k8scap.capture.CaptureRun;
import io.k8scap.capture.CaptureSessions;
import io.k8scap.capture.PodContext;
import io.k8scap.cluster.KubeConnection;
import io.k8scap.cluster.ResolvedPod;
import io.k8scap.cluster.TargetQuery;
import io.k8scap.cluster.TargetResolver;
import io.k8scap.node.NodeTarget;
import io.k8scap.node.NodeAccess;
import io.k8scap.node.NodeTargets;
import io.k8scap.pcap.CaptureFile;
import io.k8scap.analysis.Analysis;
import io.k8scap.analysis.Analyzer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
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
 * running on any node, whatever happens to k8scap. Options, validation and what the user reads are
 * here; where to capture ({@link CaptureSessions}), where the packets go ({@link CaptureDestination}),
 * the run ({@link CaptureRun}) and each node's tcpdump ({@link io.k8scap.capture.RemoteTcpdump}) are capture/'s.
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

    @Option(names = "--summary", description = "Afterwards, show what looks wrong (as k8scap analyze): refused and unanswered connections, resets, retransmissions, zero windows, ICMP unreachable and MTU, DNS errors.")
    boolean summary;

    @Mixin
    RotationOptions rotation;

    @Mixin
    CaptureContextOptions context;

    @Mixin
    KubeOptions kube;

    @Mixin
    OutputOptions output;

    @Mixin
    NodeAccessOptions nodeAccess;

    @Mixin
    NodeViaOptions via;

    /** Completed from the options: the TARGET (none with -l), the filter (checked once), whether the packets go to stdout. */
    private List<String> targets;
    private BpfFilter bpf;
    private boolean toStdout;

    @Override
    public Integer call() throws IOException, InterruptedException {
        complete();
        validate();
        return run();
    }

    private void complete() {
        targets = selector == null && !positionals.isEmpty() ? List.of(positionals.get(0)) : List.of();
        bpf = bpf();
        toStdout = "-".equals(write);
    }

    private int run() throws IOException, InterruptedException {
        PrintStream stdout = root.rawOut();
        if (write != null && !toStdout) {
            CaptureFile.check(Path.of(write), force); // before anything starts on a node
        }
        Opening opening = Opening.of(spec, kube);
        Notices notices = opening.notices();

        // The API connection stays open for the whole capture: helper pods (--via pod|auto) run through it.
        try (KubeConnection kc = opening.connect()) {
            List<ResolvedPod> pods = new TargetResolver(kc.client(), notices)
                    .resolve(new TargetQuery(kc.namespace(), allNamespaces, targets, selector, container));
            if (pods.size() > maxPods) {
                throw new K8sCapException(ExitCode.USAGE, pods.size() + " pods match, more than --max-pods " + maxPods
                        + "; narrow the target (a pod name, -l) or raise --max-pods");
            }
            Map<NodeTarget, List<ResolvedPod>> byNode = new NodeTargets(kc.client(), nodeAccess.nodeAddress).group(pods, ResolvedPod::nodeName);
            NodeAccess access = opening.nodeAccess(kc, nodeAccess,
                    via.podSettings(duration == null ? CaptureRun.TcpdumpSettings.DEFAULT_HARD_DEADLINE : duration.plusMinutes(1)));
            CaptureRun.TcpdumpSettings settings = CaptureRun.TcpdumpSettings.of(snaplen, bpf, duration);
            try (CaptureSessions nodes = new CaptureSessions(settings, notices, notices::error).withMetadata(context.metadata)) {
                List<CapturePoint> points = nodes.locate(byNode, (node, ns) -> access.open(node, via.via, ns), inside, podInterface);
                return capture(points, nodes, settings, targets, stdout, notices);
            }
        }
    }

    private int capture(List<CapturePoint> points, CaptureSessions nodes, CaptureRun.TcpdumpSettings settings, List<String> targets,
                        PrintStream stdout, Notices notices) throws IOException {
        Instant now = Instant.now();
        CaptureDestination.Choice choice = new CaptureDestination.Choice(write, wireshark, split, force,
                targets.isEmpty() ? selector : targets.get(0), rotation.policy());
        List<PodContext> contexts = points.stream().map(p -> nodes.contexts().get(p.pod().key())).filter(java.util.Objects::nonNull).toList();
        CaptureDestination dest = CaptureDestination.open(points, choice, stdout, now, contexts.stream().map(PodContext::text).toList());
        List<Path> contextFiles = CaptureDestination.writeContexts(contexts, choice, now);
        for (int i = 0; i < contextFiles.size(); i++) {
            notices.accept("network context of " + contexts.get(i).pod() + " → " + contextFiles.get(i));
        }
        Analyzer traffic = summary || output.structured() ? new Analyzer() : null;
        CaptureRun run = new CaptureRun(points, nodes.started(), nodes.sessions(), dest.output(), new CaptureRun.Limits(duration, count, maxSize), settings,
                traffic, notices, p -> notices.accept("capturing " + p.pod().key() + " on " + p.node().name() + " (" + p.where() + ") → " + dest.description()));

        Progress progress = Progress.start(spec.commandLine().getErr(), run, points.size(), !root.logging().quiet() && Tty.isTerminal(2) && stdout == System.out);
        CaptureRun.Result result;
        try (Signals signals = new Signals(() -> run.stop("interrupted (Ctrl+C)"), () -> run.stop("terminated (SIGTERM)"),
                () -> run.stop("hung up (SIGHUP)"))) {
            result = run.run();
        } finally {
            progress.close();
        }

        List<Path> files;
        try {
            files = dest.finish(result);
        } catch (CaptureDestination.Incomplete e) {
            notices.error("cannot complete the capture file: " + e.getMessage() + (e.kept().isEmpty() ? "" : "; what was written is in " + e.kept()));
            return ExitCode.FAILURE.code();
        }
        dest.end();
        if (dest.filesDeleted() > 0) {
            notices.accept(dest.filesDeleted() + " older file(s) deleted (--keep " + rotation.keep + ")");
        }
        report(result, files, contextFiles, dest.toFiles() ? null : dest.description(), traffic, notices);
        return result.failure() == null ? 0 : result.failure().exitCode().code();
    }

    /** What to tell the user when the kernel dropped packets (tcpdump could not keep up), with what to change; null when none. */
    static String dropWarning(long dropped, BpfFilter filter, int snaplen) {
        if (dropped <= 0) {
            return null;
        }
        return "warning: the kernel dropped " + Human.count(dropped) + (dropped == 1 ? " packet" : " packets")
                + " before tcpdump could read them: the capture is missing them, and what looks unanswered may have been answered."
                + " Capture less: a filter (" + (filter == null ? "'tcp port 8080', 'host 10.0.0.7'" : "narrower than '" + filter.text() + "'") + ")"
                + (snaplen > 96 ? ", or --snaplen 96 (headers only)" : "");
    }

    /**
     * The end: the failure, a warning when the kernel dropped packets, then the line that names what
     * holds the packets — the files kept, or the stream ({@code stream}: stdout, Wireshark; null when
     * the packets went to files, of which none was kept because the capture failed before any).
     */
    private void report(CaptureRun.Result r, List<Path> files, List<Path> contextFiles, String stream, Analyzer traffic, Notices notices) {
        if (r.failure() != null) {
            notices.error(r.failure().getMessage());
        }
        String drops = dropWarning(r.droppedByKernel(), bpf(), snaplen);
        if (drops != null) {
            notices.accept(drops);
        }
        String where = !files.isEmpty() ? "written to " + (files.size() == 1 ? files.get(0).toString() : files.size() + " files " + files)
                : stream != null ? "written to " + stream : "and no file: nothing was captured before the failure";
        StringBuilder line = new StringBuilder("stopped");
        if (r.stopReason() != null) {
            line.append(" (").append(r.stopReason()).append(')');
        }
        line.append(": ").append(Human.count(r.packets())).append(r.packets() == 1 ? " packet" : " packets")
                .append(" (").append(Human.bytes(r.bytes())).append(") ").append(where);
        if (r.pods().stream().anyMatch(p -> p.stats() != null)) {
            line.append("; node reported ").append(Human.count(r.droppedByKernel())).append(" dropped by kernel");
        }
        Set<String> nodes = new LinkedHashSet<>();
        r.pods().forEach(p -> nodes.add(p.point().node().name()));
        line.append("; tcpdump on ").append(String.join(", ", nodes)).append(r.allReported() ? " ended" : " stopped");
        if (!root.logging().quiet() || r.failure() != null) {
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
        Analysis summaryReport = traffic == null ? null : traffic.report();
        if (summary && summaryReport != null && !root.logging().quiet()) {
            AnalysisText.print(summaryReport, "summary:", spec.commandLine().getErr());
        }
        if (output.structured()) {
            List<PodView> podViews = r.pods().stream().map(p -> new PodView(p.point().pod().namespace(), p.point().pod().name(),
                    p.point().node().name(), p.point().iface(), p.point().insidePod(), p.packets(), p.bytes(),
                    p.stats() == null ? null : p.stats().captured(), p.stats() == null ? null : p.stats().droppedByKernel(),
                    p.end() == null ? null : p.end().name(), p.error())).toList();
            Printer.of(output, spec.commandLine().getOut()).object(new CaptureView(files.stream().map(Path::toString).toList(),
                    r.packets(), r.bytes(), r.stopReason(), podViews, summaryReport,
                    contextFiles.isEmpty() ? null : contextFiles.stream().map(Path::toString).toList()), "");
        }
    }

    record PodView(String namespace, String pod, String node, String iface, boolean insidePod, long packets, long bytes,
                   Long tcpdumpCaptured, Long droppedByKernel, String end, String error) {}

    record CaptureView(List<String> files, long packets, long bytes, String stopReason, List<PodView> pods, Analysis summary,
                       List<String> contextFiles) {}

    /** The filter, checked here once: what passes reaches tcpdump exactly. */
    private BpfFilter bpf() {
        List<String> rest = selector == null && !positionals.isEmpty() ? positionals.subList(1, positionals.size()) : positionals;
        if (!rest.isEmpty() && filter != null) {
            throw new ParameterException(spec.commandLine(), "give the filter either as trailing arguments or with --filter, not both");
        }
        try {
            return BpfFilter.of(filter != null ? filter : rest.isEmpty() ? null : String.join(" ", rest));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private void validate() {
        PrintStream stdout = root.rawOut();
        if (targets.isEmpty() && selector == null) {
            throw new ParameterException(spec.commandLine(), "capture needs a TARGET (pod, KIND/NAME or workload name) or -l SELECTOR");
        }
        Opening.checkNamespaceScope(spec, allNamespaces, kube);
        if (toStdout && stdout == System.out && Tty.isTerminal(1)) {
            throw new ParameterException(spec.commandLine(), "refusing to write pcap bytes to a terminal: pipe it (-w - | wireshark -k -i -) or name a file with -w");
        }
        if (toStdout && output.structured()) {
            throw new ParameterException(spec.commandLine(), "-w - puts the packets on stdout, so -o json|yaml cannot go there too");
        }
        if (split && (toStdout || wireshark || write != null)) {
            throw new ParameterException(spec.commandLine(), "--split writes one file per pod with default names; it cannot be combined with -w or --wireshark");
        }
        rotation.validate(spec.commandLine(), toStdout, wireshark, split);
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
    }
}
