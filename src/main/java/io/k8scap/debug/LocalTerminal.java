package io.k8scap.debug;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.EnumSet;
import java.util.function.BiConsumer;
import org.jline.terminal.Attributes;
import org.jline.terminal.Attributes.ControlChar;
import org.jline.terminal.Attributes.InputFlag;
import org.jline.terminal.Attributes.LocalFlag;
import org.jline.terminal.Attributes.OutputFlag;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.NonBlockingInputStream;

/**
 * The user's terminal in raw mode for an interactive session (JLine): every key, Ctrl+C included,
 * goes to the remote program; the original mode comes back on {@link #close()} and, should the JVM
 * be stopped by a signal, from a shutdown hook.
 */
public final class LocalTerminal implements AutoCloseable {
    private final Terminal terminal;
    private final Attributes original;
    private final Thread restoreHook;
    private boolean restored;

    private final boolean owned;

    private LocalTerminal(Terminal terminal, boolean owned) {
        this.terminal = terminal;
        this.owned = owned;
        this.original = terminal.getAttributes();
        this.restoreHook = new Thread(this::restore, "k8scap-terminal-restore");
        Runtime.getRuntime().addShutdownHook(restoreHook);
        terminal.setAttributes(raw(original));
    }

    /** Whether stdin and stdout are a terminal (an interactive session is possible). */
    public static boolean available() {
        return System.console() != null;
    }

    /** Opens the process's own terminal and puts it in raw mode. */
    public static LocalTerminal open() {
        Terminal t;
        try {
            t = TerminalBuilder.builder().system(true).dumb(false).nativeSignals(true).build();
        } catch (IOException | IllegalStateException e) {
            throw new K8sCapException(ExitCode.FAILURE, "cannot use this terminal for an interactive session: " + e.getMessage()
                    + "; run a command instead: k8scap debug POD -- CMD ARGS", e);
        }
        return new LocalTerminal(t, true);
    }

    /** A terminal the caller built (tests: a JLine terminal over streams), put in raw mode like {@link #open()}'s. */
    /** Over a terminal the caller owns: {@link #close()} restores its mode but leaves it open. */
    static LocalTerminal of(Terminal terminal) {
        return new LocalTerminal(terminal, false);
    }

    /** cfmakeraw: no echo, no line editing, no signals from keys, no output processing. */
    static Attributes raw(Attributes original) {
        Attributes a = new Attributes(original);
        a.setLocalFlags(EnumSet.of(LocalFlag.ICANON, LocalFlag.ECHO, LocalFlag.ECHOE, LocalFlag.ECHOK, LocalFlag.ECHONL,
                LocalFlag.ISIG, LocalFlag.IEXTEN), false);
        a.setInputFlags(EnumSet.of(InputFlag.IXON, InputFlag.ICRNL, InputFlag.INLCR, InputFlag.IGNCR, InputFlag.ISTRIP,
                InputFlag.BRKINT, InputFlag.INPCK, InputFlag.PARMRK), false);
        a.setOutputFlag(OutputFlag.OPOST, false);
        a.setControlChar(ControlChar.VMIN, 1);
        a.setControlChar(ControlChar.VTIME, 0);
        return a;
    }

    public String type() {
        String t = terminal.getType();
        return t == null || t.isBlank() || t.startsWith("dumb") ? "xterm" : t;
    }

    public int columns() {
        return terminal.getWidth();
    }

    public int rows() {
        return terminal.getHeight();
    }

    /** Calls {@code listener(columns, rows)} whenever the window changes size (SIGWINCH). */
    public void onResize(BiConsumer<Integer, Integer> listener) {
        terminal.handle(Terminal.Signal.WINCH, s -> listener.accept(terminal.getWidth(), terminal.getHeight()));
    }

    public NonBlockingInputStream input() {
        java.io.InputStream in = terminal.input();
        return in instanceof NonBlockingInputStream nb ? nb : org.jline.utils.NonBlocking.nonBlocking(terminal.getName(), in);
    }

    public OutputStream output() {
        return terminal.output();
    }

    private synchronized void restore() {
        if (restored) {
            return;
        }
        restored = true;
        try {
            terminal.setAttributes(original);
            terminal.flush();
        } catch (RuntimeException e) {
            // the terminal is gone; nothing left to restore
        }
    }

    @Override
    public void close() {
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(restoreHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (restore is idempotent)
        }
        if (!owned) {
            return;
        }
        try {
            terminal.close();
        } catch (IOException e) {
            // already restored above
        }
    }
}
