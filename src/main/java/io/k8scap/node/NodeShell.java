package io.k8scap.node;

import java.io.OutputStream;

/**
 * A command running on a node under a pseudo-terminal ({@link NodeSession#shell}): the caller
 * writes the user's keystrokes to {@link #input()}, the command's output (stdout and stderr, merged
 * by the remote terminal) arrives in the stream given when it was started.
 */
public interface NodeShell extends AutoCloseable {

    /** Keystrokes for the remote terminal; bytes are sent as they are flushed. */
    OutputStream input();

    /** Tells the remote terminal its new size (the remote program gets SIGWINCH). */
    void resize(int columns, int rows);

    /** Whether the remote command is still running. */
    boolean isOpen();

    /**
     * Waits for the remote command to end.
     *
     * @return its exit status (128 + N when killed by signal N)
     * @throws io.k8scap.K8sCapException UNAVAILABLE when the connection was lost, INTERRUPTED when interrupted
     */
    int waitFor();

    /** Ends the channel (the remote side gets a hang-up); idempotent. */
    @Override
    void close();
}
