package io.k8scap.cli;

import io.k8scap.pcap.TrafficSummary;
import java.io.PrintWriter;

/** {@code capture --summary} for people: per pod totals, top conversations, and what looks wrong. */
final class SummaryText {
    private SummaryText() {}

    static void print(TrafficSummary.Report r, PrintWriter err) {
        StringBuilder b = new StringBuilder("summary:\n");
        for (TrafficSummary.SourceStats s : r.sources()) {
            b.append("  ").append(s.source()).append(": ").append(Human.count(s.packets())).append(" packets, ")
                    .append(Human.bytes(s.bytes())).append('\n');
        }
        if (!r.topConversations().isEmpty()) {
            b.append("  top conversations:\n");
            for (TrafficSummary.Conversation c : r.topConversations()) {
                b.append("    ").append(c.protocol()).append(' ').append(c.client()).append(':').append(c.clientPort())
                        .append(" → ").append(c.server()).append(':').append(c.serverPort()).append("  ")
                        .append(Human.count(c.packets())).append(" packets, ").append(Human.bytes(c.bytes())).append('\n');
            }
        }
        boolean wrong = false;
        if (r.unansweredSynCount() > 0) {
            wrong = true;
            b.append("  TCP SYNs never answered: ").append(r.unansweredSynCount()).append('\n');
            for (TrafficSummary.UnansweredSyn s : r.unansweredSyns()) {
                b.append("    ").append(s.client()).append(':').append(s.clientPort()).append(" → ").append(s.server())
                        .append(':').append(s.serverPort()).append(" (").append(s.synPackets()).append(" SYNs)\n");
            }
        }
        if (r.resetCount() > 0) {
            wrong = true;
            b.append("  TCP resets: ").append(r.resetCount()).append('\n');
            for (TrafficSummary.Conversation c : r.resets()) {
                b.append("    ").append(c.client()).append(':').append(c.clientPort()).append(" → ").append(c.server())
                        .append(':').append(c.serverPort()).append(" (").append(c.resetsFromServer()).append(" from server, ")
                        .append(c.resetsFromClient()).append(" from client)\n");
            }
        }
        if (r.retransmissionCount() > 0) {
            wrong = true;
            b.append("  TCP retransmissions: ").append(r.retransmissionCount()).append('\n');
        }
        if (r.unreachableCount() > 0) {
            wrong = true;
            b.append("  ICMP unreachable: ").append(r.unreachableCount()).append('\n');
            for (TrafficSummary.Unreachable u : r.unreachable()) {
                b.append("    ").append(u.reason()).append(" for ").append(u.protocol()).append(' ').append(u.destination())
                        .append(u.port() > 0 ? ":" + u.port() : "").append(", reported by ").append(u.reportedBy())
                        .append(" (").append(u.count()).append("×)\n");
            }
        }
        if (r.dnsErrorCount() > 0) {
            wrong = true;
            b.append("  DNS errors: ").append(r.dnsErrorCount()).append('\n');
            for (TrafficSummary.DnsError d : r.dnsErrors()) {
                b.append("    ").append(d.rcode()).append(' ').append(d.name()).append(" from ").append(d.server())
                        .append(" (").append(d.count()).append("×)\n");
            }
        }
        if (r.dnsUnansweredCount() > 0) {
            wrong = true;
            b.append("  DNS queries never answered: ").append(r.dnsUnansweredCount()).append('\n');
            for (TrafficSummary.DnsUnanswered d : r.dnsUnanswered()) {
                b.append("    ").append(d.name()).append(" to ").append(d.server()).append(" (").append(d.queries()).append(" tries)\n");
            }
        }
        if (!wrong) {
            b.append("  nothing looks wrong: no unanswered SYNs, resets, retransmissions, ICMP unreachable or DNS errors\n");
        }
        for (String n : r.notes()) {
            b.append("  note: ").append(n).append('\n');
        }
        synchronized (err) {
            for (String line : b.toString().split("\n")) {
                err.println(Terminal.sanitize(line));
            }
            err.flush();
        }
    }
}
