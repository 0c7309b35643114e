package io.k8scap.cli;

import io.k8scap.K8sCapException;
import io.k8scap.cluster.KubeClients;
import io.k8scap.cluster.KubeConnection;
import io.k8scap.cluster.KubeSettings;
import io.k8scap.cluster.NodeAddresses;
import io.k8scap.cluster.ResolvedPod;
import io.k8scap.cluster.TargetQuery;
import io.k8scap.cluster.TargetResolver;
import io.k8scap.debug.AgentDebugger;
import io.k8scap.debug.EphemeralDebugger;
import io.k8scap.debug.EphemeralSpec;
import io.k8scap.debug.LocalTerminal;
import io.k8scap.debug.NodeDebugger;
import io.k8scap.debug.Preflight;
import io.k8scap.debug.Profile;
import io.k8scap.debug.Via;
import io.k8scap.node.ContainerLocation;
import io.k8scap.node.ContainerRef;
import io.k8scap.node.NodeFacts;
import io.k8scap.node.NodeLocator;
import io.k8scap.node.NodeSession;
import io.k8scap.node.NodeTarget;
import io.k8scap.node.NodeTargets;
import io.k8scap.node.NodeAccess;
import io.k8scap.node.PodAccessSettings;
import io.k8scap.node.ViaMode;
import io.k8scap.node.pod.HelperPodConnector;
import io.k8scap.node.pod.HelperPods;
import io.k8scap.node.PodAccessSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code k8scap debug}: a shell, or one command, with real tools inside a pod's namespaces — through
 * an ephemeral container ({@code --via ephemeral}, the default) or from the node with nsenter
 * ({@code --via node}), or from a privileged helper pod on the node with the helper image's tools
 * ({@code --via agent}). See docs/debug.md for how the ways compare.
 */
@Command(name = "debug",
        sortOptions = false,
        header = "A shell or a command with real tools inside a pod's namespaces.",
        description = {
            "Interactive without a command (a terminal is needed); with '-- CMD ARGS' the command runs",
            "with stdout and stderr kept apart and its exit status becomes k8scap's.",
            "",
            "--via ephemeral (default): adds an ephemeral container (--image, --profile, --env) sharing",
            "  the target container's PID namespace. Ephemeral containers cannot be removed from a pod.",
            "--via node: SSH to the pod's node and nsenter into the container's net, pid, uts and ipc",
            "  namespaces (--mount: also its filesystem) to run the node's own tools. No image, no API writes.",
            "--via agent: a short-lived privileged helper pod on the pod's node (--image; removed when the",
            "  session ends) runs the image's tools in the container's net, pid, uts and ipc namespaces.",
            "",
            "Before adding anything, RBAC (SelfSubjectAccessReview) and the namespace's PodSecurity level",
            "are checked; --preflight only checks and reports, one line each."
        },
        footer = {"%nExamples:",
            "  k8scap debug -n flyte flyteadmin",
            "  k8scap debug -n flyte flyteadmin -- ss -tnp",
            "  k8scap debug -n flyte flyteadmin --via node -- ip route",
            "  k8scap debug -n flyte flyteadmin --via agent",
            "  k8scap debug -n flyte flyteadmin --profile netadmin -- tcpdump -c 10 -i eth0"})
final class DebugCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    RootCommand root;

    @Parameters(index = "0", paramLabel = "TARGET", description = "Pod, KIND/NAME or workload name (a workload's first pod is used).")
    String target;

    @Parameters(index = "1..*", paramLabel = "CMD", description = "After --: the command and its arguments (none: an interactive shell).")
    List<String> command = new ArrayList<>();

    @Option(names = "--via", paramLabel = "WAY", description = "ephemeral (default), node, or agent (a privileged helper pod on the node).")
    Via via;

    @Option(names = {"-c", "--container"}, paramLabel = "NAME", description = "Container whose namespaces are used (default: the pod's default container).")
    String container;

    @Option(names = "--target", paramLabel = "NAME", description = "Same as -c: the container whose PID namespace the debug container shares.")
    String targetContainer;

    @Option(names = "--mount", description = "--via node: also enter the container's mount namespace (its filesystem and its tools).")
    boolean mount;

    @Option(names = {"--image", "--helper-image"}, paramLabel = "IMAGE",
            description = "--via ephemeral and --via agent: the tools image (default: " + EphemeralSpec.DEFAULT_IMAGE + ").")
    String image;

    @Option(names = "--helper-namespace", paramLabel = "NS", description = "--via agent: namespace of the helper pod (default: the target pod's).")
    String helperNamespace;

    @Option(names = "--profile", paramLabel = "PROFILE", description = "--via ephemeral: general (SYS_PTRACE), netadmin (NET_ADMIN, NET_RAW) or sysadmin (privileged). Default: general.")
    Profile profile;

    @Option(names = "--env", paramLabel = "KEY=VALUE", description = "--via ephemeral: environment of the debug container (repeatable).")
    List<String> env = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "2m", converter = DurationConverter.class,
            description = "--via ephemeral and agent: how long to wait for the debug container or helper pod to run (default: ${DEFAULT-VALUE}).")
    Duration timeout = Duration.ofMinutes(2);

    @Option(names = "--preflight", description = "Only check what would be refused (RBAC, PodSecurity; node access for --via node), one line each; create nothing.")
    boolean preflight;

    @Mixin
    KubeOptions kube;

    @Mixin
    NodeAccessOptions nodeAccess;

    @Override
    public Integer call() {
        Via way = via == null ? Via.ephemeral : via;
        validate(way);
        Notices notices = new Notices(spec.commandLine().getErr());
        String containerChoice = targetContainer != null ? targetContainer : container;
        try (KubeConnection kc = KubeClients.connect(new KubeSettings(kube.kubeconfig, kube.context, kube.namespace))) {
            List<ResolvedPod> pods = new TargetResolver(kc.client(), notices)
                    .resolve(new TargetQuery(kc.namespace(), false, List.of(target), null, containerChoice));
            ResolvedPod pod = pods.get(0);
            if (pods.size() > 1) {
                notices.accept("debugging the first pod: " + pod.key());
            }
            return switch (way) {
                case node -> viaNode(kc, pod, notices);
                case agent -> viaAgent(kc, pod, notices);
                case ephemeral -> viaEphemeral(kc, pod, notices);
            };
        }
    }

    private void validate(Via way) {
        boolean dashDash = spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().originalArgs().contains("--");
        if (!command.isEmpty() && !dashDash) {
            throw new ParameterException(spec.commandLine(), "put the command after --, e.g. k8scap debug " + target + " -- "
                    + String.join(" ", command));
        }
        if (command.isEmpty() && !preflight && System.console() == null) { // not LocalTerminal.available(): keeps JLine unloaded on usage errors
            throw new ParameterException(spec.commandLine(), "no terminal for an interactive session: give a command after --, e.g. k8scap debug "
                    + target + " -- ip addr");
        }
        if (mount && way != Via.node) {
            throw new ParameterException(spec.commandLine(), "--mount is for --via node (an ephemeral container has its own filesystem)");
        }
        if (way == Via.node && (image != null || profile != null || !env.isEmpty())) {
            throw new ParameterException(spec.commandLine(), "--image, --profile and --env are for --via ephemeral; --via node runs the node's own tools");
        }
        if (way == Via.agent && (profile != null || !env.isEmpty())) {
            throw new ParameterException(spec.commandLine(), "--profile and --env are for --via ephemeral; the --via agent helper pod is privileged");
        }
        if (helperNamespace != null && way != Via.agent) {
            throw new ParameterException(spec.commandLine(), "--helper-namespace is for --via agent");
        }
        if (container != null && targetContainer != null && !container.equals(targetContainer)) {
            throw new ParameterException(spec.commandLine(), "-c " + container + " and --target " + targetContainer + " name different containers; give one");
        }
        for (String kv : env) {
            int i = kv.indexOf('=');
            if (i <= 0 || !kv.substring(0, i).matches("[-._a-zA-Z][-._a-zA-Z0-9]*")) {
                throw new ParameterException(spec.commandLine(), "--env takes KEY=VALUE, got '" + kv + "'");
            }
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new ParameterException(spec.commandLine(), "--timeout must be positive");
        }
    }

    // ---- --via node -----------------------------------------------------------------------

    private int viaNode(KubeConnection kc, ResolvedPod pod, Notices notices) {
        NodeTarget node = new NodeTargets(kc.client(), nodeAccess.nodeAddress).of(pod.nodeName());
        NodeAccess access = new NodeAccess(kc.client(), nodeAccess.settings(), PodAccessSettings.defaults(), notices, Logging.verbosity() > 1);
        try (NodeSession session = access.open(node, ViaMode.SSH, pod.namespace())) {
            NodeFacts facts = new NodeLocator().locate(session, List.of(ContainerRef.parse(pod.containerId())));
            ContainerLocation loc = facts.containers().get(0);
            if (!loc.ok()) {
                throw new K8sCapException(loc.errorCode(), pod.key() + ": " + loc.error());
            }
            if (preflight) {
                notices.accept("preflight: ok: SSH to node " + node.name() + " (" + node.address() + ")");
                notices.accept("preflight: ok: container " + pod.containerName() + " runs as PID " + loc.pid() + " (found by " + loc.method() + ")");
                notices.accept("preflight: ok: nsenter " + facts.tools().getOrDefault("nsenter", "present"));
                return 0;
            }
            NodeDebugger debugger = new NodeDebugger();
            if (command.isEmpty()) {
                notices.accept("debug: " + pod.key() + " container " + pod.containerName() + " (PID " + loc.pid() + ") on node "
                        + node.name() + " via nsenter" + (mount ? " with its mount namespace" : "") + "; exit the shell to end");
                try (LocalTerminal t = LocalTerminal.open()) {
                    return debugger.interactive(session, loc.pid(), mount, List.of(), t);
                }
            }
            flushWriters();
            return debugger.run(session, loc.pid(), mount, command, root.rawOut(), root.rawErr());
        }
    }

    // ---- --via agent ----------------------------------------------------------------------

    private int viaAgent(KubeConnection kc, ResolvedPod pod, Notices notices) {
        PodAccessSettings settings = new PodAccessSettings(image, helperNamespace, PodAccessSettings.DEFAULT_LIFETIME, timeout,
                PodAccessSettings.Tools.NODE);
        NodeTarget node = NodeTargets.throughApi(pod.nodeName());
        HelperPodConnector connector = new HelperPodConnector(kc.client(), settings, notices);
        if (preflight) {
            String ns = connector.namespaceFor(pod.namespace());
            try {
                new io.k8scap.node.pod.Preflight(kc.client()).check(HelperPods.spec(ns, node.name(), connector.session(), settings, Instant.now()));
            } catch (K8sCapException e) {
                throw AgentDebugger.inDebugTerms(e);
            }
            notices.accept("preflight: ok: create/get/delete pods and create pods/exec in namespace " + ns
                    + ", and a privileged helper pod is admitted there (server-side dry run)");
            return 0;
        }
        AgentDebugger debugger = new AgentDebugger(connector, notices);
        if (command.isEmpty()) {
            return debugger.interactive(node, pod.namespace(), pod.key(), ContainerRef.parse(pod.containerId()), LocalTerminal::open);
        }
        flushWriters();
        return debugger.run(node, pod.namespace(), pod.key(), ContainerRef.parse(pod.containerId()), command, root.rawOut(), root.rawErr());
    }

    // ---- --via ephemeral ------------------------------------------------------------------

    private int viaEphemeral(KubeConnection kc, ResolvedPod pod, Notices notices) {
        boolean interactive = command.isEmpty();
        Profile p = profile == null ? Profile.general : profile;
        List<Preflight.Check> checks = new Preflight(kc.client()).ephemeral(pod.namespace(), interactive, p);
        boolean refused = false;
        for (Preflight.Check c : checks) {
            if (preflight || c.outcome() != Preflight.Check.Outcome.ok) {
                if (c.outcome() == Preflight.Check.Outcome.refused) {
                    notices.error(c.line());
                    refused = true;
                } else {
                    notices.accept(c.line());
                }
            }
        }
        if (refused) {
            throw K8sCapException.denied("debug container not added to pod " + pod.key() + ": the checks above say it would be refused");
        }
        if (preflight) {
            return 0;
        }
        Map<String, String> envMap = new LinkedHashMap<>();
        for (String kv : env) {
            envMap.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        EphemeralSpec ec = new EphemeralSpec(EphemeralSpec.randomName(), image == null ? EphemeralSpec.DEFAULT_IMAGE : image,
                pod.containerName(), p, envMap, interactive);
        notices.accept("warning: adding ephemeral container " + ec.name() + " (" + ec.image() + ", profile " + p + ") to pod "
                + pod.key() + ": ephemeral containers cannot be removed from a pod; it stays in the pod spec until the pod is deleted");
        EphemeralDebugger debugger = new EphemeralDebugger(kc.client());
        debugger.add(pod.namespace(), pod.name(), ec);
        notices.accept("waiting for " + ec.name() + " to start (up to " + timeoutText() + ")…");
        debugger.awaitRunning(pod.namespace(), pod.name(), ec.name(), timeout);
        if (interactive) {
            notices.accept("attached to " + ec.name() + "; exit the shell to end (the container then stops)");
            try (LocalTerminal t = LocalTerminal.open()) {
                return debugger.attach(pod.namespace(), pod.name(), ec.name(), t);
            }
        }
        flushWriters();
        return debugger.exec(pod.namespace(), pod.name(), ec.name(), command, root.rawOut(), root.rawErr());
    }

    private String timeoutText() {
        long s = timeout.toSeconds();
        return s > 0 && s % 60 == 0 ? (s / 60) + "m" : s > 0 ? s + "s" : timeout.toMillis() + "ms";
    }

    private void flushWriters() {
        spec.commandLine().getOut().flush();
        spec.commandLine().getErr().flush();
    }
}
