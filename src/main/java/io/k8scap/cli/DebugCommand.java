package io.k8scap.cli;

import io.k8scap.K8sCapException;
import io.k8scap.cluster.KubeConnection;
import io.k8scap.cluster.Preflight;
import io.k8scap.cluster.ResolvedPod;
import io.k8scap.cluster.TargetQuery;
import io.k8scap.cluster.TargetResolver;
import io.k8scap.debug.AgentDebugger;
import io.k8scap.debug.Debugger;
import io.k8scap.debug.EphemeralDebugger;
import io.k8scap.debug.EphemeralSpec;
import io.k8scap.debug.LocalTerminal;
import io.k8scap.debug.NodeDebugger;
import io.k8scap.debug.Profile;
import io.k8scap.debug.Via;
import io.k8scap.node.NodeTargets;
import io.k8scap.node.PodAccessSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** Completed from the options: the way (default ephemeral) and the container named by -c or --target. */
    private Via way;
    private String containerChoice;

    @Override
    public Integer call() {
        complete();
        validate();
        return run();
    }

    private void complete() {
        way = via == null ? Via.ephemeral : via;
        containerChoice = targetContainer != null ? targetContainer : container;
    }

    private void validate() {
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

    private int run() {
        Opening opening = Opening.of(spec, kube);
        Notices notices = opening.notices();
        try (KubeConnection kc = opening.connect()) {
            List<ResolvedPod> pods = new TargetResolver(kc.client(), notices)
                    .resolve(new TargetQuery(kc.namespace(), false, List.of(target), null, containerChoice));
            ResolvedPod pod = pods.get(0);
            if (pods.size() > 1) {
                notices.accept("debugging the first pod: " + pod.key());
            }
            try (Debugger debugger = debugger(opening, kc, pod)) {
                boolean refused = false;
                for (Preflight.Check c : debugger.preflight(preflight)) {
                    if (preflight || c.outcome() != Preflight.Check.Outcome.ok) {
                        if (c.outcome() == Preflight.Check.Outcome.refused) {
                            notices.error(c.line());
                            refused = true;
                        } else {
                            notices.accept(c.line());
                        }
                    }
                }
                if (refused) { // only --via ephemeral's checks are refused as lines; the other ways' refusals throw
                    throw K8sCapException.denied("debug container not added to pod " + pod.key() + ": the checks above say it would be refused");
                }
                if (preflight) {
                    return 0;
                }
                debugger.start();
                if (!command.isEmpty()) {
                    opening.flush(); // the remote command's bytes go straight to the byte streams
                }
                return debugger.attachOrRun(command, LocalTerminal::open, root.rawOut(), root.rawErr());
            }
        }
    }

    /** The way asked for, as a {@link Debugger}: node sessions through {@link NodeAccess}, like every command's. */
    private Debugger debugger(Opening opening, KubeConnection kc, ResolvedPod pod) {
        Notices notices = opening.notices();
        return switch (way) {
            case ephemeral -> new EphemeralDebugger(kc.client()).session(pod, image, profile, env(), command.isEmpty(), timeout, notices);
            case node -> new NodeDebugger().session(opening.nodeAccess(kc, nodeAccess, PodAccessSettings.defaults()),
                    new NodeTargets(kc.client(), nodeAccess.nodeAddress).of(pod.nodeName()), pod, mount, notices);
            case agent -> new AgentDebugger(opening.nodeAccess(kc, nodeAccess, new PodAccessSettings(image, helperNamespace,
                    PodAccessSettings.DEFAULT_LIFETIME, timeout, PodAccessSettings.Tools.NODE)), notices)
                    .session(NodeTargets.throughApi(pod.nodeName()), pod); // reached through the API server, not by address
        };
    }

    private Map<String, String> env() {
        Map<String, String> envMap = new LinkedHashMap<>();
        for (String kv : env) {
            envMap.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        return envMap;
    }

}
