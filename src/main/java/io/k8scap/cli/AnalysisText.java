package io.k8scap.cli;

import io.k8scap.analysis.Analysis;
import java.io.PrintWriter;

/** An {@link Analysis} for people: {@code analyze} prints it on stdout, {@code capture --summary} on stderr. */
final class AnalysisText {
    private AnalysisText() {}

    static String text(Analysis r, String heading) {
        StringBuilder b = new StringBuilder(heading).append('\n');
        for (Analysis.Source s : r.sources()) {
            b.append("  ").append(s.name()).append(": ").append(Human.count(s.packets())).append(" packets, ")
                    .append(Human.bytes(s.bytes()));
            if (s.malformed() > 0) {
                b.append(", ").append(s.malformed()).append(" malformed");
            }
            if (!s.tunnels().isEmpty()) {
                b.append(", tunnels ").append(s.tunnels());
            }
            b.append('\n');
        }
        if (!r.topConversations().isEmpty()) {
            b.append("  top conversations:\n");
            for (Analysis.Conversation c : r.topConversations()) {
                b.append("    ").append(c.protocol()).append(' ').append(endpoint(c.client())).append(" → ")
                        .append(endpoint(c.server())).append("  ").append(Human.count(c.packets())).append(" packets, ")
                        .append(Human.bytes(c.bytes())).append('\n');
            }
        }
        if (r.findings().isEmpty()) {
            b.append("  nothing looks wrong: no refused or unanswered connections, resets, retransmissions, zero windows,"
                    + " ICMP errors or DNS errors\n");
        } else {
            b.append("  findings:\n");
            for (Analysis.Finding f : r.findings()) {
                b.append("    ").append(f.severity() == Analysis.Severity.error ? "" : "(warning) ")
                        .append(f.kind().name().replace('_', ' ')).append(": ");
                if (f.client() != null && f.server() != null) {
                    b.append(f.protocol()).append(' ').append(endpoint(f.client())).append(" → ").append(endpoint(f.server())).append(": ");
                }
                b.append(f.detail()).append(" (first at frame ").append(f.firstFrame());
                if (r.sources().size() > 1) {
                    b.append(" of ").append(f.source());
                }
                b.append(")\n");
            }
        }
        for (String n : r.notes()) {
            b.append("  note: ").append(n).append('\n');
        }
        return b.toString();
    }

    static void print(Analysis r, String heading, PrintWriter w) {
        synchronized (w) {
            for (String line : text(r, heading).split("\n")) {
                w.println(Terminal.sanitize(line));
            }
            w.flush();
        }
    }

    private static String endpoint(Analysis.Endpoint e) {
        String a = e.address().indexOf(':') >= 0 ? "[" + e.address() + "]" : e.address();
        return (e.port() > 0 ? a + ":" + e.port() : a) + (e.name() == null ? "" : " (" + e.name() + ")");
    }
}
