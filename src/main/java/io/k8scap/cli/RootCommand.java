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
            GcCommand.class,
            VersionCommand.class,
            CompletionCommand.class,
            picocli.CommandLine.HelpCommand.class
        })
public final class RootCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    LoggingOptions logging;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required (locate, capture, debug, proxy-inspect, version, completion)");
    }
}
