package io.k8scap.cli;

import io.k8scap.ExitCode;
import io.k8scap.startup.ArgumentGuess;
import io.k8scap.startup.PreparedClient;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** Builds the picocli command tree with the project's one error handler and exit-code table. */
public final class Cli {
    private Cli() {}

    /** Runs k8scap with {@code args}, writing data to {@code out} and messages to {@code err}; returns the exit code. */
    public static int run(String[] typed, PrintStream out, PrintStream err) {
        String[] args = ArgumentGuess.commandFirst(typed); // -n flyte capture web = capture -n flyte web, as kubectl
        Logging logging = Logging.configure(args);
        String command = ArgumentGuess.clusterCommand(args);
        // for a cluster command, reading the kubeconfig and building the client overlap picocli's start-up (≈ 0.1 s)
        PreparedClient client = command == null ? null : PreparedClient.forArguments(args);
        try {
            return commandLine(out, err, command, logging, client).execute(args);
        } finally {
            if (client != null) {
                client.discard(); // a usage error, or a command that never connected
            }
        }
    }

    /** k8scap's commands, in the order --help lists them. */
    static final List<Class<?>> SUBCOMMANDS = List.of(LocateCommand.class, CaptureCommand.class, DebugCommand.class,
            ProxyInspectCommand.class, AnalyzeCommand.class, GcCommand.class, VersionCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class,
            CompleteCommand.class);

    /** The whole command tree. */
    public static CommandLine commandLine(PrintStream out, PrintStream err) {
        return commandLine(out, err, null);
    }

    static CommandLine commandLine(PrintStream out, PrintStream err, String only) {
        return commandLine(out, err, only, Logging.DEFAULT, null);
    }

    /**
     * The command tree with every subcommand, or with only {@code only} (its class' command name):
     * picocli reads every option of every command it is given (≈ 30 ms of a cold start for the others).
     * Only used when the first argument names that command exactly, so help, suggestions for a
     * mistyped command and completion always see all of them.
     */
    static CommandLine commandLine(PrintStream out, PrintStream err, String only, Logging logging, PreparedClient client) {
        CommandLine cl = new CommandLine(new RootCommand().streams(out, err).startUp(logging, client));
        for (Class<?> c : SUBCOMMANDS) {
            if (only == null || only.equals(c.getAnnotation(picocli.CommandLine.Command.class).name())) {
                cl.addSubcommand(c);
            }
        }
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // As with kubectl and ssh, a repeated single-value option takes the last value (aliases, scripts).
        cl.setOverwrittenOptionsAllowed(true);
        cl.setExecutionExceptionHandler(new ErrorHandler(logging));
        cl.setParameterExceptionHandler(new UsageErrorHandler());
        cl.setExitCodeExceptionMapper(ErrorHandler::exitCodeOf);
        applyExitCodeTable(cl);
        return cl;
    }

    /** Every command's --help ends with the same exit-code table, taken from {@link ExitCode}. */
    private static void applyExitCodeTable(CommandLine cl) {
        Map<String, String> table = new LinkedHashMap<>();
        for (ExitCode c : ExitCode.values()) {
            table.put(String.format("%3d", c.code()), c.meaning());
        }
        table.put("  *", "debug -- CMD: the remote command's own exit status");
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(table);
        for (CommandLine sub : cl.getSubcommands().values()) {
            applyExitCodeTable(sub);
        }
    }
}
