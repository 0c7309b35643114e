package io.k8scap.cli;

import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl+C (SIGINT), SIGTERM and SIGHUP (the terminal, or the SSH session to a jump box, closed) turned
 * into a clean stop while work is running, instead of the JVM's exit: the command finishes its files
 * and reports, then returns its exit code. {@link #close()} restores the previous handlers.
 * sun.misc.Signal is the supported JDK way (module jdk.unsupported). A signal that was ignored when
 * the JVM started stays ignored (HotSpot installs no handler for it): {@code nohup k8scap …} keeps
 * running when the terminal closes, as nohup tcpdump does; bin/k8scap un-ignores SIGINT, which a
 * shell ignores for a command started with {@code &}.
 */
final class Signals implements AutoCloseable {
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    Signals(Runnable onInt, Runnable onTerm, Runnable onHup) {
        install("INT", onInt);
        install("TERM", onTerm);
        install("HUP", onHup);
    }

    private void install(String name, Runnable action) {
        try {
            Signal s = new Signal(name);
            previous.add(Signal.handle(s, sig -> action.run()));
            signals.add(s);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // not available on this platform: the JVM's default (exit) applies
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
    }
}
