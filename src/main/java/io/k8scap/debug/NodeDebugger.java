package io.k8scap.debug;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.cluster.Preflight;
import io.k8scap.cluster.ResolvedPod;
import io.k8scap.node.ContainerLocation;
import io.k8scap.node.ContainerRef;
import io.k8scap.node.NodeAccess;
import io.k8scap.node.NodeFacts;
import io.k8scap.node.NodeLocator;
import io.k8scap.node.NodeScript;
import io.k8scap.node.NodeSession;
import io.k8scap.node.NodeShell;
import io.k8scap.node.NodeTarget;
import io.k8scap.node.Pty;
import io.k8scap.node.ViaMode;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code k8scap debug --via node}: on the pod's node, {@code nsenter} into the target container's
 * network, PID, UTS and IPC namespaces (and its mount namespace with {@code --mount}) and run the
 * node's own tools there — see the node script {@code debug.sh}. No image and no API writes.
 */
public final class NodeDebugger {
    public static final String SCRIPT = "debug";

    private final NodeScript script;

    public NodeDebugger() {
        this(NodeScript.load(SCRIPT));
    }

    NodeDebugger(NodeScript script) {
        this.script = script;
    }

    /**
     * The {@code debug --via node} session for {@code pod}: an SSH session to its node (through
     * {@link NodeAccess}, as every command opens one), the container's PID found there by locate,
     * then nsenter; nothing is created, and closing ends the SSH session.
     */
    public Debugger session(NodeAccess access, NodeTarget node, ResolvedPod pod, boolean mount, Consumer<String> notices) {
        return new Debugger() {
            private NodeSession session;
            private ContainerLocation loc;

            @Override
            public List<Preflight.Check> preflight(boolean report) {
                // reaching the node and finding the container is this way's check: it creates nothing
                session = access.open(node, ViaMode.SSH, pod.namespace());
                NodeFacts facts = new NodeLocator().locate(session, List.of(ContainerRef.parse(pod.containerId())));
                loc = facts.containers().get(0);
                if (!loc.ok()) {
                    throw new K8sCapException(loc.errorCode(), pod.key() + ": " + loc.error());
                }
                return List.of(ok("SSH to node " + node.name() + " (" + node.address() + ")"),
                        ok("container " + pod.containerName() + " runs as PID " + loc.pid() + " (found by " + loc.method() + ")"),
                        ok("nsenter " + facts.tools().getOrDefault("nsenter", "present")));
            }

            @Override
            public void start() {
                // the session is open and the container found (preflight)
            }

            @Override
            public int attachOrRun(List<String> command, Supplier<LocalTerminal> terminal, OutputStream stdout, OutputStream stderr) {
                if (command.isEmpty()) {
                    notices.accept("debug: " + pod.key() + " container " + pod.containerName() + " (PID " + loc.pid() + ") on node "
                            + node.name() + " via nsenter" + (mount ? " with its mount namespace" : "") + "; exit the shell to end");
                    try (LocalTerminal t = terminal.get()) {
                        return interactive(session, loc.pid(), mount, List.of(), t);
                    }
                }
                return run(session, loc.pid(), mount, command, stdout, stderr);
            }

            @Override
            public void close() {
                if (session != null) {
                    session.close();
                }
            }
        };
    }

    static Preflight.Check ok(String what) {
        return new Preflight.Check(what, Preflight.Check.Outcome.ok, "");
    }

    /**
     * The command line the node runs: the script text and every argument shell-quoted, nothing
     * spliced. An empty {@code command} means an interactive shell.
     */
    public String commandLine(long pid, boolean mount, List<String> command, boolean sudo) {
        List<String> args = new ArrayList<>();
        args.add(Long.toString(pid));
        args.add(mount ? "1" : "0");
        args.addAll(command);
        return script.commandLine(args, sudo);
    }

    /**
     * Runs {@code command} in the container's namespaces, streaming its stdout and stderr as they
     * come; no stdin.
     *
     * @return the remote command's exit status
     * @throws K8sCapException when the node cannot enter the namespaces (nsenter missing: UNAVAILABLE)
     */
    public int run(NodeSession session, long pid, boolean mount, List<String> command, OutputStream stdout, OutputStream stderr) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("a command is required");
        }
        ErrorLineFilter err = new ErrorLineFilter(stderr);
        int status = session.exec(commandLine(pid, mount, command, session.sudo()), null, stdout, err);
        finish(err);
        return checked(session, pid, status, err);
    }

    /**
     * An interactive session: a PTY on the node running {@code command} (empty: the node's shell),
     * wired to {@code terminal} (already in raw mode), resized with it.
     *
     * @return the remote program's exit status
     */
    public int interactive(NodeSession session, long pid, boolean mount, List<String> command, LocalTerminal terminal) {
        ErrorLineFilter out = new ErrorLineFilter(terminal.output());
        Pty pty = new Pty(terminal.type(), terminal.columns(), terminal.rows());
        NodeShell shell = session.shell(commandLine(pid, mount, command, session.sudo()), pty, out);
        try (shell) {
            terminal.onResize(shell::resize);
            TerminalBridge.resizedMeanwhile(terminal, pty, shell::resize);
            TerminalBridge.start(terminal.input(), shell.input(), shell::isOpen);
            int status = shell.waitFor();
            finish(out);
            return checked(session, pid, status, out);
        }
    }

    private static void finish(ErrorLineFilter f) {
        try {
            f.finish();
        } catch (IOException e) {
            // the local stream is gone; the status still counts
        }
    }

    private static int checked(NodeSession session, long pid, int status, ErrorLineFilter filter) {
        String marker = filter.marker();
        if (status != 125 || marker == null) {
            return status;
        }
        String node = session.target().name();
        String[] f = marker.split("\t", 2);
        String detail = f.length > 1 ? f[1].strip() : "";
        throw switch (f[0]) {
            case "notools" -> K8sCapException.unavailable(detail + " is missing on node " + node
                    + ": install util-linux there, or use --via ephemeral");
            case "gone" -> K8sCapException.notFound("the container's process " + pid + " exited on node " + node
                    + " before the debug command started; the pod may be restarting: retry");
            case "denied" -> K8sCapException.denied("cannot enter the container's namespaces on node " + node + " (" + detail
                    + "): connect as root or use --sudo");
            default -> new K8sCapException(ExitCode.FAILURE, "the debug script failed on node " + node + ": " + marker.replace('\t', ' '));
        };
    }
}
