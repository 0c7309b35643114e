package io.k8scap.debug;

import java.io.IOException;
import java.io.OutputStream;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.jline.utils.NonBlockingInputStream;

/** Copies the user's keystrokes to a remote terminal until the remote side ends. */
final class TerminalBridge {
    private TerminalBridge() {}

    /**
     * Call right after registering the resize handler: a window resized while the remote terminal
     * was being opened with {@code openedWith}'s size (before any handler listened) is sent now.
     */
    static void resizedMeanwhile(LocalTerminal terminal, io.k8scap.node.Pty openedWith, BiConsumer<Integer, Integer> resize) {
        int columns = terminal.columns();
        int rows = terminal.rows();
        if (columns != openedWith.columns() || rows != openedWith.rows()) {
            resize.accept(columns, rows);
        }
    }

    /** Starts a daemon thread pumping {@code keys} into {@code remote} while {@code open} holds. */
    static Thread start(NonBlockingInputStream keys, OutputStream remote, BooleanSupplier open) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[4096];
            try {
                while (open.getAsBoolean()) {
                    int n = keys.readBuffered(buf, 0, buf.length, 100);
                    if (n == NonBlockingInputStream.EOF) {
                        remote.close(); // Ctrl+D at the terminal level: the input is over
                        return;
                    }
                    if (n > 0) {
                        remote.write(buf, 0, n);
                        remote.flush();
                    }
                }
            } catch (IOException e) {
                // the channel closed under us: the session is ending
            }
        }, "k8scap-debug-keys");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
