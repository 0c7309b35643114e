package io.k8scap.cli;

import io.k8scap.ExitCode;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;

/** Usage errors: one line saying what is wrong, the command's usage line, exit 2. */
final class UsageErrorHandler implements IParameterExceptionHandler {

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("error: " + Terminal.sanitize(ex.getMessage()));
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        String synopsis = cl.getHelp().synopsis(0).strip();
        err.println("Usage: " + synopsis);
        err.println("See '" + cl.getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return ExitCode.USAGE.code();
    }
}
