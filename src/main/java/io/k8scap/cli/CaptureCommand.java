package io.k8scap.cli;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Registered so the CLI surface is stable; the behaviour lands with its own issue (#3). */
@Command(name = "capture", header = "Stream pod traffic from the node's tcpdump to a pcap file or Wireshark (not implemented yet).",
        description = "Not implemented yet: this command answers with exit 1 until it lands.")
final class CaptureCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", hidden = true)
    List<String> args;

    @Override
    public Integer call() {
        throw new K8sCapException(ExitCode.FAILURE, "k8scap capture is not implemented yet; for now use 'k8scap locate' to find the node, PID and interfaces");
    }
}
