package io.k8scap.cli;

import java.io.PrintWriter;
import java.util.function.Consumer;

/** Human messages for stderr: escaped (they carry cluster strings), silenced by -q. */
final class Notices implements Consumer<String> {
    private final PrintWriter err;
    private final boolean quiet;

    Notices(PrintWriter err, Logging logging) {
        this.err = err;
        this.quiet = logging.quiet();
    }

    @Override
    public void accept(String message) {
        if (!quiet) {
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
