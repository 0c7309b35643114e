package io.k8scap.cli;

import java.io.PrintWriter;
import java.util.function.Consumer;

/** Human messages for stderr: escaped (they carry cluster strings), silenced by -q. */
final class Notices implements Consumer<String> {
    private final PrintWriter err;

    Notices(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void accept(String message) {
        if (!Logging.quiet()) {
            synchronized (err) {
                err.println(Terminal.sanitize(message));
                err.flush();
            }
        }
    }

    /** Errors print even with -q. */
    void error(String message) {
        synchronized (err) {
            err.println("error: " + Terminal.sanitize(message));
            err.flush();
        }
    }
}
