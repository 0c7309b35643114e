package io.k8scap.capture;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The network context of one pod at the start of its capture ({@code --metadata}), as its node
 * answered context.sh: from the pod's network namespace its addresses, routes, neighbours, sockets
 * ({@code ss -tanup}) and sysctls, the container's {@code /etc/resolv.conf}, and the node's conntrack
 * entries for the pod's IP. Nothing else is read (no environment, no other file).
 *
 * @param sections by section name (addr, route, route6, neigh, ss, resolv, sysctl, conntrack, note), lines in order
 */
public record PodContext(String pod, String node, Instant at, Map<String, List<String>> sections) {
    /** Sections in the order they are written, with their headings. */
    private static final Map<String, String> HEADINGS = headings();

    private static Map<String, String> headings() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("addr", "ip addr (pod network namespace)");
        h.put("route", "ip route");
        h.put("route6", "ip -6 route");
        h.put("neigh", "ip neigh");
        h.put("ss", "ss -tanup");
        h.put("resolv", "/etc/resolv.conf (container)");
        h.put("sysctl", "sysctls (pod network namespace)");
        h.put("conntrack", "conntrack -L, entries naming the pod IP (node, at most 200)");
        h.put("note", "notes");
        return h;
    }

    /**
     * The context of each PID in one context.sh answer ({@code ctx PID SECTION LINE} records, then
     * {@code done - context}); lines not of that shape are ignored.
     */
    public static Map<Long, Map<String, List<String>>> parse(String answer) {
        Map<Long, Map<String, List<String>>> byPid = new LinkedHashMap<>();
        for (String line : answer.split("\n", -1)) {
            String[] f = line.split("\t", 4);
            if (f.length < 3 || !f[0].equals("ctx") || !f[1].matches("\\d{1,10}") || !f[2].matches("[a-z0-9]{1,16}")) {
                continue;
            }
            byPid.computeIfAbsent(Long.parseLong(f[1]), k -> new LinkedHashMap<>())
                    .computeIfAbsent(f[2], k -> new ArrayList<>()).add(f.length > 3 ? f[3] : "");
        }
        return byPid;
    }

    /** The lines k8scap sends: "context", N, then "PID IP" per pod ("-" for an IP that is missing or not an address). */
    static List<String> request(List<Long> pids, List<String> ips) {
        List<String> lines = new ArrayList<>(List.of("context", Integer.toString(pids.size())));
        for (int i = 0; i < pids.size(); i++) {
            String ip = ips.get(i);
            lines.add(pids.get(i) + " " + (ip == null || !ip.matches("[0-9A-Fa-f.:]{2,45}") ? "-" : ip));
        }
        return lines;
    }

    /** The text written beside the capture (and in a pcapng comment). */
    public String text() {
        StringBuilder b = new StringBuilder();
        b.append("# k8scap network context of ").append(pod).append(" on node ").append(node).append(", at ").append(at).append('\n');
        for (Map.Entry<String, String> h : HEADINGS.entrySet()) {
            List<String> lines = sections.get(h.getKey());
            if (lines == null) {
                continue;
            }
            b.append("\n## ").append(h.getValue()).append('\n');
            lines.forEach(l -> b.append(l).append('\n'));
        }
        return b.toString();
    }
}
