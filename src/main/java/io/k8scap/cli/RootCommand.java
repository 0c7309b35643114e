package io.k8scap.cli;

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
        },
        subcommands = {
            LocateCommand.class,
            CaptureCommand.class,
            DebugCommand.class,
            ProxyInspectCommand.class,
            VersionCommand.class,
            CompletionCommand.class,
            picocli.CommandLine.HelpCommand.class
        })
public final class RootCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    LoggingOptions logging;

    /** The process' stdout as bytes (pcap streams); picocli's getOut() is a text writer. */
    private java.io.PrintStream stdout = System.out;

    RootCommand stdout(java.io.PrintStream out) {
        this.stdout = out;
        return this;
    }

    /** Raw stdout for commands that write binary data; reach it with {@code RootCommand.of(spec).stdout()}. */
    java.io.PrintStream stdout() {
        return stdout;
    }

    static RootCommand of(CommandSpec spec) {
        return (RootCommand) spec.root().userObject();
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required (locate, capture, debug, proxy-inspect, version, completion)");
    }
}
