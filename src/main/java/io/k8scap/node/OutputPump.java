package io.k8scap.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Copies one stream to another on a thread of its own, flushing after every read: the caller's stdin
 * into a pods/exec (heartbeats must not wait in a buffer), and a remote terminal's output (a pods/exec
 * or pods/attach stream) to the user's terminal, so that the caller can wait for the last bytes before
 * it restores the terminal: fabric8 writes to a stream given with {@code writingOutput} asynchronously and, when the
 * websocket closes, shuts down the executor those writes wait in, so the session's last line could
 * arrive after the terminal was restored, or not at all. A redirected output stream is filled in
 * order and ends after the last frame.
 */
public final class OutputPump {
    private OutputPump() {}

    /** Starts copying {@code from} to {@code to} (flushed after each read) until {@code from} ends or fails. */
    public static Thread start(InputStream from, OutputStream to, String threadName) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = from.read(buf)) >= 0) {
                    to.write(buf, 0, n);
                    to.flush();
                }
            } catch (IOException e) {
                // the exec is gone, or the terminal is; an interrupted read when the command ended
            }
        }, threadName);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
