package io.k8scap.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "version", header = "Print k8scap's version and the Java runtime it runs on.")
final class VersionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        var view = new VersionView(version(), System.getProperty("java.version"), System.getProperty("java.vm.name"));
        Printer.of(output, spec.commandLine().getOut()).object(view, "k8scap " + view.version() + " (java " + view.java() + ", " + view.jvm() + ")");
        return 0;
    }

    record VersionView(String version, String java, String jvm) {}

    static String version() {
        String v = VersionCommand.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"k8scap " + version()};
        }
    }
}
