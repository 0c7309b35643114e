package io.k8scap.cli;

import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl+C (SIGINT) and SIGTERM turned into a clean stop while work is running, instead of the JVM's
 * exit: the command finishes its files and reports, then returns its exit code. {@link #close()}
 * restores the previous handlers. sun.misc.Signal is the supported JDK way (module jdk.unsupported).
 */
final class Signals implements AutoCloseable {
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    Signals(Runnable onInt, Runnable onTerm) {
        install("INT", onInt);
        install("TERM", onTerm);
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
