package io.k8scap.debug;

import io.k8scap.cluster.Preflight;
import java.io.OutputStream;
import java.util.List;
import java.util.function.Supplier;

/**
 * One {@code k8scap debug} session, whichever way it gets into the pod's namespaces ({@code --via
 * ephemeral}: {@link EphemeralDebugger}, {@code node}: {@link NodeDebugger}, {@code agent}:
 * {@link AgentDebugger}): the same four steps, as ksniff's runtimes have them. The command picks a
 * way and drives its session in this order; {@link #close} always runs.
 */
public interface Debugger extends AutoCloseable {
    /**
     * What would be refused, found before anything is created: one {@link Preflight.Check} each.
     * A refused check means {@link #start} would be refused; a refusal that cannot be put as a
     * check (the node cannot be reached, the container is not on it) throws.
     *
     * @param report {@code --preflight}: the run stops after this and says every check; without it
     *               a way whose {@link #start} checks as it goes may leave the checks to it
     */
    List<Preflight.Check> preflight(boolean report);

    /**
     * Creates or opens what the session runs in (the ephemeral container, the SSH session, the
     * helper pod) and finds the target container in it, saying so on notices.
     */
    void start();

    /**
     * Runs {@code command} with stdout and stderr kept apart (no stdin), or, when it is empty, an
     * interactive shell on the terminal {@code terminal} opens (raw mode) — opened only now, so
     * that until here Ctrl+C stops k8scap.
     *
     * @return the remote command's exit status
     */
    int attachOrRun(List<String> command, Supplier<LocalTerminal> terminal, OutputStream stdout, OutputStream stderr);

    /** Removes what {@link #start} made where it can be removed (the helper pod; the SSH session). Never throws. */
    @Override
    void close();
}
