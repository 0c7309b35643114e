package io.k8scap.proxy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses {@code ipvsadm -Ln} (plain, {@code --stats}, {@code --rate}, with or without {@code --exact}) and the
 * restore form of {@code ipvsadm -Sn}. {@link #parse} tells them apart.
 */
public final class IpvsadmParser {
    private IpvsadmParser() {
    }

    /** Either form; blank text (no virtual servers) gives an empty list. */
    public static List<IpvsVirtualServer> parse(String text) {
        for (String line : text.split("\n")) {
            String t = line.trim();
            if (t.isEmpty()) {
                continue;
            }
            return t.startsWith("-A") || t.startsWith("-a") ? parseSave(text) : parseList(text);
        }
        return List.of();
    }

    /** {@code ipvsadm -Ln [--stats|--rate] [--exact]}. */
    public static List<IpvsVirtualServer> parseList(String text) {
        List<Builder> services = new ArrayList<>();
        List<String> serviceColumns = List.of();
        List<String> serverColumns = List.of("Forward", "Weight", "ActiveConn", "InActConn");
        int lineNo = 0;
        for (String raw : text.split("\n")) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("IP Virtual Server")) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (f[0].equals("Prot")) {
                serviceColumns = f.length > 3 && !f[2].equals("Scheduler") ? List.of(f).subList(2, f.length) : List.of();
                continue;
            }
            if (f[0].equals("->")) {
                if (f[1].equals("RemoteAddress:Port")) {
                    serverColumns = f.length > 2 ? List.of(f).subList(2, f.length) : serviceColumns;
                    continue;
                }
                if (services.isEmpty()) {
                    throw new IllegalArgumentException("ipvsadm line " + lineNo + ": real server before any virtual server");
                }
                String[] hp = hostPort(f[1], lineNo);
                String forward = null;
                Integer weight = null;
                Map<String, Long> counters = new LinkedHashMap<>();
                for (int i = 2; i < f.length && i - 2 < serverColumns.size(); i++) {
                    String col = serverColumns.get(i - 2);
                    switch (col) {
                        case "Forward" -> forward = f[i];
                        case "Weight" -> weight = Integer.valueOf(f[i]);
                        default -> counters.put(col, number(f[i], lineNo));
                    }
                }
                services.get(services.size() - 1).servers.add(new IpvsRealServer(hp[0], Integer.parseInt(hp[1]), forward, weight, counters));
                continue;
            }
            Builder b = new Builder();
            b.protocol = f[0].toUpperCase(Locale.ROOT);
            int i;
            if (b.protocol.equals("FWM")) {
                b.fwmark = Integer.decode(f[1]);
                i = 2;
                if (i < f.length && f[i].equals("IPv6")) {
                    b.ipv6 = true;
                    i++;
                }
            } else if (b.protocol.equals("TCP") || b.protocol.equals("UDP") || b.protocol.equals("SCTP")) {
                String[] hp = hostPort(f[1], lineNo);
                b.address = hp[0];
                b.port = Integer.parseInt(hp[1]);
                b.ipv6 = hp[0].indexOf(':') >= 0;
                i = 2;
            } else {
                throw new IllegalArgumentException("ipvsadm line " + lineNo + " is not a virtual server or real server: " + line);
            }
            if (!serviceColumns.isEmpty()) {
                for (int c = 0; c < serviceColumns.size() && i < f.length; c++, i++) {
                    b.counters.put(serviceColumns.get(c), number(f[i], lineNo));
                }
            } else {
                if (i < f.length) {
                    b.scheduler = f[i++];
                }
                flags(b, f, i, lineNo);
            }
            services.add(b);
        }
        return services.stream().map(Builder::build).toList();
    }

    private static void flags(Builder b, String[] f, int i, int lineNo) {
        while (i < f.length) {
            switch (f[i]) {
                case "persistent", "-p", "--persistent" -> {
                    b.persistent = i + 1 < f.length && Character.isDigit(f[i + 1].charAt(0)) ? Integer.valueOf(f[++i]) : 300;
                }
                case "mask", "-M", "--netmask" -> b.mask = f[++i];
                case "pe", "--pe" -> b.pe = f[++i];
                case "ops", "-o", "--ops" -> b.ops = true;
                case "-s", "--scheduler" -> b.scheduler = f[++i];
                case "-b", "--sched-flags" -> i++;
                default -> {
                    // scheduler flags such as "(sh-fallback)" and anything newer: not needed
                }
            }
            i++;
        }
    }

    /** {@code ipvsadm -Sn}: {@code -A -t VIP:PORT -s rr [-p N] [-M mask] [--pe x] [-o]} and {@code -a -t VIP:PORT -r RIP:PORT -m -w 1}. */
    public static List<IpvsVirtualServer> parseSave(String text) {
        Map<String, Builder> services = new LinkedHashMap<>();
        int lineNo = 0;
        for (String raw : text.split("\n")) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (f.length < 3 || !(f[0].equals("-A") || f[0].equals("-a"))) {
                throw new IllegalArgumentException("ipvsadm -S line " + lineNo + " is not -A/-a: " + line);
            }
            Builder vs = new Builder();
            String kind = f[1];
            switch (kind) {
                case "-t", "--tcp-service" -> vs.protocol = "TCP";
                case "-u", "--udp-service" -> vs.protocol = "UDP";
                case "--sctp-service" -> vs.protocol = "SCTP";
                case "-f", "--fwmark-service" -> vs.protocol = "FWM";
                default -> throw new IllegalArgumentException("ipvsadm -S line " + lineNo + " has an unknown service kind " + kind);
            }
            if (vs.protocol.equals("FWM")) {
                vs.fwmark = Integer.decode(f[2]);
            } else {
                String[] hp = hostPort(f[2], lineNo);
                vs.address = hp[0];
                vs.port = Integer.parseInt(hp[1]);
                vs.ipv6 = hp[0].indexOf(':') >= 0;
            }
            String key = vs.protocol + " " + f[2];
            if (f[0].equals("-A")) {
                for (int i = 3; i < f.length; i++) {
                    if (f[i].equals("-6")) {
                        vs.ipv6 = true;
                    }
                }
                flags(vs, f, 3, lineNo);
                services.putIfAbsent(key, vs);
                continue;
            }
            Builder owner = services.get(key);
            if (owner == null) {
                throw new IllegalArgumentException("ipvsadm -S line " + lineNo + ": real server for unknown virtual server " + f[2]);
            }
            String[] rs = null;
            String forward = "Masq";
            Integer weight = 1;
            for (int i = 3; i < f.length; i++) {
                switch (f[i]) {
                    case "-r", "--real-server" -> rs = hostPort(f[++i], lineNo);
                    case "-m", "--masquerading" -> forward = "Masq";
                    case "-g", "--gatewaying" -> forward = "Route";
                    case "-i", "--ipip" -> forward = "Tunnel";
                    case "-w", "--weight" -> weight = Integer.valueOf(f[++i]);
                    default -> {
                    }
                }
            }
            if (rs == null) {
                throw new IllegalArgumentException("ipvsadm -S line " + lineNo + " has no -r");
            }
            owner.servers.add(new IpvsRealServer(rs[0], Integer.parseInt(rs[1]), forward, weight, Map.of()));
        }
        return services.values().stream().map(Builder::build).toList();
    }

    /** {@code 10.0.0.1:80} or {@code [fd00::1]:80} → {ip, port}. */
    static String[] hostPort(String text, int lineNo) {
        if (text.startsWith("[")) {
            int close = text.indexOf("]:");
            if (close < 0) {
                throw new IllegalArgumentException("ipvsadm line " + lineNo + ": bad address " + text);
            }
            return new String[] {text.substring(1, close), text.substring(close + 2)};
        }
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("ipvsadm line " + lineNo + ": bad address " + text);
        }
        return new String[] {text.substring(0, colon), text.substring(colon + 1)};
    }

    /** Counters: plain, or abbreviated with K, M, G (powers of 1000, as ipvsadm prints them without --exact). */
    static long number(String text, int lineNo) {
        char last = text.charAt(text.length() - 1);
        long factor = switch (last) {
            case 'K' -> 1_000L;
            case 'M' -> 1_000_000L;
            case 'G' -> 1_000_000_000L;
            case 'T' -> 1_000_000_000_000L;
            default -> 1L;
        };
        String digits = factor == 1 ? text : text.substring(0, text.length() - 1);
        try {
            return Long.parseLong(digits) * factor;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ipvsadm line " + lineNo + ": not a counter: " + text);
        }
    }

    private static final class Builder {
        String protocol;
        String address;
        int port;
        Integer fwmark;
        boolean ipv6;
        String scheduler;
        Integer persistent;
        String mask;
        String pe;
        boolean ops;
        final Map<String, Long> counters = new LinkedHashMap<>();
        final List<IpvsRealServer> servers = new ArrayList<>();

        IpvsVirtualServer build() {
            return new IpvsVirtualServer(protocol, address, port, fwmark, ipv6, scheduler, persistent, mask, pe, ops, Map.copyOf(counters),
                    List.copyOf(servers));
        }
    }
}
