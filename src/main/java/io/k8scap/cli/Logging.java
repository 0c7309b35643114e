package io.k8scap.cli;

/**
 * -v / -vv / -q as a value, read before anything logs: slf4j-simple takes its level from system
 * properties when the first logger is created, and fabric8/JSch log early, so {@link #configure}
 * sets them from the raw arguments and the run hands the result on ({@link RootCommand#logging}).
 * Library chatter stays off by default (errors reach the user as one line from the error handler
 * instead).
 *
 * @param verbosity 0 default, 1 with -v (stack traces on errors, library info), 2 with -vv (debug)
 * @param quiet     -q: only errors on stderr
 */
public record Logging(int verbosity, boolean quiet) {
    /** No -v, no -q. */
    static final Logging DEFAULT = new Logging(0, false);

    /** Reads -v/-vv/--verbose and -q/--quiet before the {@code --}, and sets slf4j-simple's level from them. */
    static Logging configure(String[] args) {
        int v = 0;
        boolean q = false;
        for (String a : args) {
            if ("--".equals(a)) {
                break;
            }
            if ("--verbose".equals(a)) {
                v++;
            } else if (a.matches("-v+")) {
                v += a.length() - 1;
            } else if ("-q".equals(a) || "--quiet".equals(a)) {
                q = true;
            }
        }
        String level = v >= 2 ? "debug" : v == 1 ? "info" : "off";
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        return new Logging(v, q);
    }

    /** -vv: libraries' debug logs on stderr too (JSch's, for SSH sessions). */
    boolean libraryDebug() {
        return verbosity > 1;
    }
}
