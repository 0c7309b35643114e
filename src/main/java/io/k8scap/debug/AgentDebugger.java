package io.k8scap.debug;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.cluster.Preflight;
import io.k8scap.cluster.ResolvedPod;
import io.k8scap.node.ContainerLocation;
import io.k8scap.node.ContainerRef;
import io.k8scap.node.NodeFacts;
import io.k8scap.node.NodeAccess;
import io.k8scap.node.NodeLocator;
import io.k8scap.node.NodeShell;
import io.k8scap.node.NodeTarget;
import io.k8scap.node.PodAccessSettings;
import io.k8scap.node.Pty;
import io.k8scap.node.pod.HelperPodConnector;
import io.k8scap.node.PodAccessSettings;
import io.k8scap.node.pod.PodNodeSession;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code k8scap debug --via agent}, the kubectl-debug model: a short-lived privileged helper pod on
 * the target's node (hostPID, hostNetwork; the helper-pod machinery of {@code io.k8scap.node.pod},
 * which checks RBAC and PodSecurity before creating it and deletes it on every exit path), then two
 * execs into it:
 * <ol>
 *   <li>{@code locate.sh} with {@link PodAccessSettings.Tools#NODE} — under {@code nsenter -t 1 …}, with
 *       the node's runtime CLIs — for the target container's PID;</li>
 *   <li>{@code debug.sh PID 0 CMD…} with {@link PodAccessSettings.Tools#HELPER_IMAGE} — a plain
 *       {@code sh -c} in the helper container — which runs
 *       {@code nsenter -t PID -n -p -u -i -- unshare -m … CMD}: the target's network, PID, UTS and IPC
 *       namespaces, but the helper container's own filesystem, so the helper IMAGE's tools (ip, ss,
 *       tcpdump, dig, …) even on a node that has none.</li>
 * </ol>
 * Every argument travels as a quoted positional parameter of debug.sh; nothing is spliced.
 */
public final class AgentDebugger {
    private final HelperPodConnector connector;
    private final Consumer<String> notices;
    private final NodeDebugger script = new NodeDebugger();

    /** @param connector its settings' tools must be {@link PodAccessSettings.Tools#NODE} (locate needs the runtime CLIs) */
    public AgentDebugger(HelperPodConnector connector, Consumer<String> notices) {
        if (connector.settings().tools() != PodAccessSettings.Tools.NODE) {
            throw new IllegalArgumentException("the agent locates containers with the node's tools");
        }
        this.connector = connector;
        this.notices = notices;
    }

    /**
     * The command line the helper container runs (with the helper image's tools) for {@code command}
     * in the namespaces of process {@code pid}: debug.sh with PID, "0" (no mount namespace) and every
     * argument shell-quoted. Never sudo: the helper is privileged.
     */
    public String commandLine(long pid, List<String> command) {
        return script.commandLine(pid, false, command, false);
    }

    /** Helper pods as {@code access} makes them; its pod settings' tools must be {@link PodAccessSettings.Tools#NODE}. */
    public AgentDebugger(NodeAccess access, Consumer<String> notices) {
        this(access.pods(), notices);
    }

    /**
     * The {@code debug --via agent} session for {@code pod}: the helper pod started on its node
     * ({@link Debugger#start}), the container's PID found, the shell or command run with the helper
     * image's tools, and the helper pod deleted ({@link Debugger#close}).
     */
    public Debugger session(NodeTarget node, ResolvedPod pod) {
        return new Session(new Target(node, pod.namespace(), pod.key(), ContainerRef.parse(pod.containerId())));
    }

    /**
     * Runs {@code command} in the target container's namespaces with the helper image's tools,
     * streaming its stdout and stderr as they come; no stdin. The helper pod exists only for the
     * duration of this call.
     *
     * @param targetNamespace the target pod's namespace (the default helper namespace)
     * @param podKey          NAMESPACE/NAME of the target, for messages
     * @return the remote command's exit status
     * @throws K8sCapException DENIED (preflight), UNAVAILABLE (helper start, exec dropped, no nsenter in
     *                         the image), NOT_FOUND (container not on the node, or gone), INTERRUPTED
     */
    public int run(NodeTarget node, String targetNamespace, String podKey, ContainerRef container, List<String> command,
            OutputStream stdout, OutputStream stderr) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("a command is required");
        }
        try (Session s = new Session(new Target(node, targetNamespace, podKey, container))) {
            s.start();
            return s.attachOrRun(command, null, stdout, stderr);
        }
    }

    /**
     * An interactive shell (the helper image's bash, else sh) in the target container's namespaces:
     * a TTY exec into the helper pod wired to the terminal {@code openTerminal} gives (raw mode, so
     * Ctrl+C is a byte for the remote shell), resized with it. The terminal is opened only once the
     * helper runs and the container is found — until then Ctrl+C stops k8scap — and restored when the
     * shell ends. The helper pod is deleted when the shell ends, on error and on interruption
     * (closing the session; a shutdown hook for signals).
     *
     * @return the shell's exit status
     * @throws K8sCapException as {@link #run}
     */
    public int interactive(NodeTarget node, String targetNamespace, String podKey, ContainerRef container,
            Supplier<LocalTerminal> openTerminal) {
        try (Session s = new Session(new Target(node, targetNamespace, podKey, container))) {
            s.start();
            return s.attachOrRun(List.of(), openTerminal, null, null);
        }
    }

    /**
     * What a session debugs: the target container, on its node, in its namespace.
     *
     * @param namespace the target pod's namespace (the default helper namespace)
     * @param podKey    NAMESPACE/NAME of the target, for messages
     */
    private record Target(NodeTarget node, String namespace, String podKey, ContainerRef container) {}

    /** One helper pod's debug session. */
    private final class Session implements Debugger {
        private final Target target;
        private PodNodeSession session;
        private long pid;

        Session(Target target) {
            this.target = target;
        }

        /** With {@code report} the helper pod's checks run now; without, creating it runs them (once) first. */
        @Override
        public List<Preflight.Check> preflight(boolean report) {
            if (!report) {
                return List.of();
            }
            String ns = connector.namespaceFor(target.namespace());
            try {
                connector.preflight(target.node(), target.namespace());
            } catch (K8sCapException e) {
                throw inDebugTerms(e);
            }
            return List.of(NodeDebugger.ok("create/get/delete pods and create pods/exec in namespace " + ns
                    + ", and a privileged helper pod is admitted there (server-side dry run)"));
        }

        @Override
        public void start() {
            session = AgentDebugger.this.start(target.node(), target.namespace());
            pid = locate(session, target.podKey(), target.container());
        }

        @Override
        public int attachOrRun(List<String> command, Supplier<LocalTerminal> openTerminal, OutputStream stdout, OutputStream stderr) {
            if (!command.isEmpty()) {
                ErrorLineFilter err = new ErrorLineFilter(stderr);
                int status;
                try (PodNodeSession tools = session.withTools(PodAccessSettings.Tools.HELPER_IMAGE)) {
                    status = tools.exec(commandLine(pid, command), null, stdout, err);
                }
                finish(err);
                return checked(session, pid, status, err.marker());
            }
            notices.accept("shell in " + target.podKey() + " (PID " + pid + ") with the tools of " + connector.settings().image()
                    + "; exit the shell to end");
            int status;
            ErrorLineFilter out;
            try (LocalTerminal terminal = openTerminal.get();
                 PodNodeSession tools = session.withTools(PodAccessSettings.Tools.HELPER_IMAGE)) {
                out = new ErrorLineFilter(terminal.output());
                Pty pty = new Pty(terminal.type(), terminal.columns(), terminal.rows());
                try (NodeShell shell = tools.shell(commandLine(pid, List.of()), pty, out)) {
                    terminal.onResize(shell::resize);
                    TerminalBridge.resizedMeanwhile(terminal, pty, shell::resize);
                    TerminalBridge.start(terminal.input(), shell.input(), shell::isOpen);
                    status = shell.waitFor();
                }
                finish(out);
            }
            return checked(session, pid, status, out.marker());
        }

        @Override
        public void close() {
            if (session != null) {
                session.close();
            }
        }
    }

    /** Creates the helper pod on the node (saying so first) and waits for it to run. */
    private PodNodeSession start(NodeTarget node, String targetNamespace) {
        String ns = connector.namespaceFor(targetNamespace);
        notices.accept("creating helper pod k8scap-helper-" + node.name() + "-… (" + connector.settings().image() + ", privileged, hostPID)"
                + " in namespace " + ns + " on node " + node.name() + "; it is removed when the session ends");
        PodNodeSession session;
        try {
            session = connector.open(node, targetNamespace);
        } catch (K8sCapException e) {
            throw inDebugTerms(e);
        }
        notices.accept("helper pod " + session.helperPod().key() + " is running on node " + node.name());
        return session;
    }

    /**
     * The helper-pod machinery's messages end with the other way to reach a node, "use --via ssh" —
     * capture's and locate's option. For debug that way is {@code --via node}.
     */
    public static K8sCapException inDebugTerms(K8sCapException e) {
        String m = e.getMessage();
        if (m == null || !m.contains("--via ssh")) {
            return e;
        }
        return new K8sCapException(e.exitCode(), m.replace("--via ssh", "--via node (SSH to the node)"), e);
    }

    private static void finish(ErrorLineFilter f) {
        try {
            f.finish();
        } catch (IOException e) {
            // the local stream is gone; the status still counts
        }
    }

    /** The target container's PID on the node, found with the node's runtime CLIs. */
    private long locate(PodNodeSession session, String podKey, ContainerRef container) {
        NodeFacts facts = new NodeLocator().locate(session, List.of(container));
        ContainerLocation loc = facts.containers().get(0);
        if (!loc.ok()) {
            throw new K8sCapException(loc.errorCode(), podKey + ": " + loc.error());
        }
        return loc.pid();
    }

    /** debug.sh's error line (exit 125 + marker) → one message about the helper pod, not the node. */
    private int checked(PodNodeSession session, long pid, int status, String marker) {
        if (status != 125 || marker == null) {
            return status;
        }
        String where = "helper pod " + session.helperPod().key() + " on node " + session.target().name();
        String[] f = marker.split("\t", 2);
        String detail = f.length > 1 ? f[1].strip() : "";
        throw switch (f[0]) {
            case "notools" -> K8sCapException.unavailable("helper image " + connector.settings().image() + " has no " + detail + " ("
                    + where + "); pass --image with an image that has util-linux nsenter (e.g. " + PodAccessSettings.DEFAULT_IMAGE + ")");
            case "gone" -> K8sCapException.notFound("the container's process " + pid + " exited before the debug command started ("
                    + where + "); the pod may be restarting: retry");
            case "denied" -> K8sCapException.denied("cannot enter the container's namespaces from " + where + " (" + detail
                    + "): the helper container is not root; check the namespace's policies");
            default -> new K8sCapException(ExitCode.FAILURE, "the debug script failed in " + where + ": " + marker.replace('\t', ' '));
        };
    }
}
