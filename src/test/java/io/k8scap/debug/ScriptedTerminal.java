package io.k8scap.debug;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * A user's terminal for interactive-session tests: JLine over streams, the test types on
 * {@link #keyboard} and reads {@link #screen}. The session leaves it open (it is the caller's, as
 * a user's terminal is theirs); the test closes it.
 */
final class ScriptedTerminal implements AutoCloseable {
    final PipedOutputStream keyboard = new PipedOutputStream();
    final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    final Terminal jline;

    ScriptedTerminal(String type, int columns, int rows) throws IOException {
        InputStream keys = new PipedInputStream(keyboard, 4096);
        jline = TerminalBuilder.builder().system(false).streams(keys, screen).type(type).size(new Size(columns, rows)).build();
    }

    /** The screen once it ends with {@code end} (JLine copies its pty's output to it on a thread of its own), or after 5 s. */
    String screenEndingWith(String end) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5_000;
        while (!screen.toString(StandardCharsets.UTF_8).endsWith(end) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        return screen.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        keyboard.close();
        jline.close();
    }
}
