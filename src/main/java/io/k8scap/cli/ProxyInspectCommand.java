package io.k8scap.cli;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Registered so the CLI surface is stable; the behaviour lands with its own issue (#4). */
@Command(name = "proxy-inspect", header = "Show and check what kube-proxy programmed on the nodes (not implemented yet).",
        description = "Not implemented yet: this command answers with exit 1 until it lands.")
final class ProxyInspectCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", hidden = true)
    List<String> args;

    @Override
    public Integer call() {
        throw new K8sCapException(ExitCode.FAILURE, "k8scap proxy-inspect is not implemented yet; for now use 'k8scap locate' to find the node, PID and interfaces");
    }
}
