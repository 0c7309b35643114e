package io.k8scap.cli;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.analysis.AddressNames;
import io.k8scap.analysis.Analysis;
import io.k8scap.analysis.Analyzer;
import io.k8scap.analysis.CaptureReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code k8scap analyze FILE…}: the analysis of {@code capture --summary} on capture files written by anyone
 * (tcpdump, Wireshark, k8scap). Offline: it needs no cluster. The report is this command's data, so it goes to
 * stdout; a file that could not be read to its end gets a warning line on stderr.
 */
@Command(name = "analyze",
        sortOptions = false,
        header = "Show what looks wrong in capture files (pcap, pcapng): refused, unanswered and reset connections, retransmissions, ICMP, DNS.",
        description = {
            "Reads each FILE (pcap or pcapng, '-' for stdin; any link type tcpdump writes; VXLAN, Geneve, IPIP and",
            "GRE/ERSPAN decoded) and reports, per flow: refused connections, SYNs never answered, resets, TCP",
            "retransmissions (tshark's rules), duplicate ACKs, zero windows, slow handshakes, ICMP unreachable and",
            "fragmentation needed, DNS errors and unanswered queries. Works offline; no cluster is read.",
            "",
            "The report goes to stdout (text, or -o json|yaml). Exit status: 0 nothing looks wrong (warnings alone",
            "included); 7 an error-severity finding; 2 a FILE that is not a pcap or pcapng file; 4 no such FILE.",
            "A file cut short (truncated) is analysed up to the cut, with a warning on stderr."
        },
        footer = {"%nExamples:",
            "  k8scap analyze node-1.pcap",
            "  k8scap analyze a.pcap b.pcapng -o json | jq '.findings[] | select(.kind==\"refused\")'",
            "  k8scap capture -n shop cart -w - --count 1000 | k8scap analyze -"})
final class AnalyzeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Capture files (pcap, pcapng; - for stdin).")
    List<String> files = new ArrayList<>();

    @Mixin
    OutputOptions output;

    /** Names the report's addresses; offline by default (the cluster's names are another step). */
    AddressNames names = AddressNames.OFFLINE;

    @Override
    public Integer call() throws IOException {
        validate();
        return run();
    }

    private void validate() {
        if (output.format == OutputOptions.Format.wide) {
            throw new ParameterException(spec.commandLine(), "analyze prints text, json or yaml: -o wide has no columns to add");
        }
        if (files.stream().filter("-"::equals).count() > 1) {
            throw new ParameterException(spec.commandLine(), "stdin (-) can be read only once");
        }
    }

    private int run() throws IOException {
        Analyzer analyzer = new Analyzer();
        for (String f : files) {
            CaptureReader.Result r;
            if (f.equals("-")) {
                r = CaptureReader.read(System.in, "stdin", analyzer::accept);
            } else {
                Path p = Path.of(f);
                if (Files.isDirectory(p)) {
                    throw new K8sCapException(ExitCode.USAGE, f + " is a directory, not a capture file");
                }
                try (InputStream in = Files.newInputStream(p)) {
                    r = CaptureReader.read(in, p.getFileName().toString(), analyzer::accept);
                } catch (NoSuchFileException e) {
                    throw new K8sCapException(ExitCode.NOT_FOUND, "no such file: " + f);
                }
            }
            if (r.problem() != null) {
                spec.commandLine().getErr().println(Terminal.sanitize("warning: " + f + ": " + r.problem()));
                spec.commandLine().getErr().flush();
            }
        }
        Analysis a = analyzer.report(names);
        if (output.structured()) {
            Printer.of(output, spec.commandLine().getOut()).object(a, "");
        } else {
            AnalysisText.print(a, "analysis of " + String.join(", ", files) + ":", spec.commandLine().getOut());
        }
        return a.problems() ? ExitCode.DRIFT.code() : ExitCode.OK.code();
    }
}
