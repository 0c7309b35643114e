package io.k8scap;

import io.k8scap.cli.Cli;

/**
 * Entry point: builds the command line, runs it, exits with the documented code.
 * Everything here stays free of fabric8 and JSch so that {@code --help}, usage errors and
 * {@code completion} start fast (a black-box test checks which classes load).
 */
public final class K8sCap {
    private K8sCap() {}

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.err.flush();
        QuietExit.prepare();
        System.exit(code);
    }

    /** Runs k8scap with {@code args}, data to {@code out}, messages to {@code err}; returns the exit code. */
    public static int run(String[] args, java.io.PrintStream out, java.io.PrintStream err) {
        return Cli.run(args, out, err);
    }
}
