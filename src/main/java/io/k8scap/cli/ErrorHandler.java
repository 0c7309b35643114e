package io.k8scap.cli;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.io.InterruptedIOException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * The one place where failures become exit codes and one-line messages on stderr. A stack trace is
 * printed only with {@code -v}.
 */
final class ErrorHandler implements IExecutionExceptionHandler {
    private final Logging logging;

    ErrorHandler(Logging logging) {
        this.logging = logging;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parseResult) {
        PrintWriter err = cl.getErr();
        int code = exitCodeOf(ex);
        err.println("error: " + messageOf(ex, logging));
        if (logging.verbosity() > 0) {
            ex.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    static int exitCodeOf(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof K8sCapException k) {
                return k.exitCode().code();
            }
            if (t instanceof InterruptedException || t instanceof InterruptedIOException) {
                return ExitCode.INTERRUPTED.code();
            }
        }
        return ExitCode.FAILURE.code();
    }

    static String messageOf(Throwable ex, Logging logging) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof K8sCapException k) {
                return Terminal.sanitize(k.getMessage());
            }
            if (t instanceof InterruptedException) {
                return "interrupted";
            }
        }
        String detail = ex.getMessage() == null ? "" : ": " + ex.getMessage();
        return Terminal.sanitize("unexpected " + ex.getClass().getSimpleName() + detail
                + (logging.verbosity() > 0 ? "" : " (run with -v for details, and please report it)"));
    }
}
