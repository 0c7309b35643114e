package io.k8scap.cli;

/**
 * -v / -vv / -q, read before anything logs: slf4j-simple takes its level from system properties
 * when the first logger is created, and fabric8/JSch log early. Library chatter stays off by
 * default (errors reach the user as one line from the error handler instead).
 */
public final class Logging {
    private static volatile int verbosity;
    private static volatile boolean quiet;

    private Logging() {}

    static void configure(String[] args) {
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
        verbosity = v;
        quiet = q;
        String level = v >= 2 ? "debug" : v == 1 ? "info" : "off";
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
    }

    /** 0 default, 1 with -v (stack traces on errors, library info), 2 with -vv (debug). */
    public static int verbosity() {
        return verbosity;
    }

    public static boolean quiet() {
        return quiet;
    }
}
