package io.k8scap.cli;

import io.k8scap.startup.PreparedClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
        name = "k8scap",
        mixinStandardHelpOptions = true,
        scope = picocli.CommandLine.ScopeType.INHERIT,
        versionProvider = VersionCommand.Provider.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Diagnose pod networking in Kubernetes: find, capture, debug, and check kube-proxy.",
        description = {
            "Data (pcap bytes, tables, JSON) goes to stdout; messages, warnings and progress go to stderr.",
            "Also runs as a kubectl plugin: kubectl k8scap …"
        })
// The subcommands are added by Cli (Cli.SUBCOMMANDS): all of them, or only the one a run needs.
public final class RootCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    LoggingOptions logging;

    private java.io.PrintStream rawOut = System.out;
    private java.io.PrintStream rawErr = System.err;
    private Logging runLogging = Logging.DEFAULT;
    private PreparedClient client; // null until Cli.run hands one: --help must not load the start-up's cluster classes

    /** What the run's start-up found: -v/-q, and the API connection it began to build, or null (Cli.run). */
    RootCommand startUp(Logging logging, PreparedClient client) {
        this.runLogging = logging;
        this.client = client;
        return this;
    }

    /** -v/-vv/-q of this run. */
    Logging logging() {
        return runLogging;
    }

    /** This run's API connection, prepared during start-up when the arguments were guessed right. */
    PreparedClient client() {
        if (client == null) {
            client = PreparedClient.none();
        }
        return client;
    }

    /** The byte streams behind the command line's writers (for commands that pass remote bytes through). */
    RootCommand streams(java.io.PrintStream out, java.io.PrintStream err) {
        this.rawOut = out;
        this.rawErr = err;
        return this;
    }

    /** stdout as bytes; flush {@code spec.commandLine().getOut()} before writing here. */
    java.io.PrintStream rawOut() {
        return rawOut;
    }

    /** stderr as bytes; flush {@code spec.commandLine().getErr()} before writing here. */
    java.io.PrintStream rawErr() {
        return rawErr;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required (locate, capture, debug, proxy-inspect, analyze, version, completion)");
    }
}
