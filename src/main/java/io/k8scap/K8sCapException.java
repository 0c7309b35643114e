package io.k8scap;

/**
 * The project's own failure: a one-line message a user can act on (what failed, for which object,
 * what to try) and the exit code it maps to. Domain code throws this, never picocli types; the CLI's
 * error handler prints {@link #getMessage()} alone, and the stack trace only with {@code -v}.
 */
public class K8sCapException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ExitCode exitCode;

    public K8sCapException(ExitCode exitCode, String message) {
        this(exitCode, message, null);
    }

    public K8sCapException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    public static K8sCapException config(String message) { return new K8sCapException(ExitCode.CONFIG, message); }
    public static K8sCapException notFound(String message) { return new K8sCapException(ExitCode.NOT_FOUND, message); }
    public static K8sCapException denied(String message) { return new K8sCapException(ExitCode.DENIED, message); }
    public static K8sCapException unavailable(String message) { return new K8sCapException(ExitCode.UNAVAILABLE, message); }
}
