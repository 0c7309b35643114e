package io.k8scap.node;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * Access to one node: over SSH, one connection (more when more commands run at once than sshd's
 * MaxSessions allows on one), or a helper pod. Every command k8scap runs on that node goes through
 * the same session; commands may run concurrently from several threads.
 */
public interface NodeSession extends AutoCloseable {

    NodeTarget target();

    /** Whether node commands must be wrapped in {@code sudo -n} (see {@link NodeScript#commandLine}). */
    boolean sudo();

    /**
     * Runs one already-quoted command line on the node and waits for it to end.
     *
     * @param stdin  sent to the command, then closed; null for none
     * @return the command's exit status
     * @throws io.k8scap.K8sCapException when the node cannot run it (connection lost: UNAVAILABLE)
     */
    int exec(String commandLine, InputStream stdin, OutputStream stdout, OutputStream stderr);

    /**
     * Starts one already-quoted command line on the node under a pseudo-terminal, for interactive
     * sessions; returns at once. The remote terminal merges the command's stdout and stderr into
     * {@code output}.
     *
     * @throws io.k8scap.K8sCapException UNAVAILABLE when the node cannot start it
     * @throws UnsupportedOperationException when this kind of node access has no terminals
     */
    default NodeShell shell(String commandLine, Pty pty, OutputStream output) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot run interactive commands");
    }

    /** Runs a node script with the given positional parameters (sudo applied as configured). */
    default int run(NodeScript script, java.util.List<String> args, InputStream stdin, OutputStream stdout, OutputStream stderr) {
        return exec(script.commandLine(args, sudo()), stdin, stdout, stderr);
    }

    @Override
    void close();
}
