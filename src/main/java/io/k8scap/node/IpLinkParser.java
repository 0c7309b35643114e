package io.k8scap.node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the one-line forms of iproute2's {@code ip -o -d link show} and {@code ip -o addr show}
 * (iproute2 5.x/6.x; {@code -o} turns each record's line breaks into {@code "\"}).
 *
 * <p>The name field is {@code NAME}, {@code NAME@ifN} (the link's other end is ifindex N in another
 * netns: a veth peer, or the parent of an ipvlan/macvlan), {@code NAME@PARENT} (the other end is in
 * the same netns, e.g. {@code eth0.100@eth0} or a same-netns veth pair) or {@code NAME@NONE}
 * (fallback tunnel devices such as {@code tunl0@NONE}). Only {@code @ifN} gives a peer index.
 */
public final class IpLinkParser {
    private IpLinkParser() {}

    /**
     * One line of {@code ip -o -d link show}.
     *
     * @param index    ifindex
     * @param rawName  the name field as printed, suffix included ({@code eth0@if12})
     * @param name     the interface name ({@code eth0}); for {@code NAME@PARENT} fixed by {@link #links}
     * @param peerIndex N of {@code @ifN}, or -1
     * @param parent   PARENT of {@code NAME@PARENT}, or null
     * @param kind     {@code veth}, {@code bridge}, {@code macvlan}, {@code ipvlan}, {@code vlan}, … or ""
     * @param loopback {@code link/loopback}
     * @param up       the UP flag is set
     */
    public record Link(int index, String rawName, String name, int peerIndex, String parent, String kind,
                       boolean loopback, boolean up) {
        /** A fallback tunnel ({@code tunl0@NONE}, {@code gre0@NONE}…) that every netns gets when the module is loaded. */
        public boolean fallbackTunnel() {
            return rawName.endsWith("@NONE");
        }
    }

    /** One line of {@code ip -o addr show}: {@code family} is {@code inet} or {@code inet6}. */
    public record Addr(int index, String name, String family, String cidr) {}

    private static final Pattern LINK = Pattern.compile("^(\\d+):\\s+(\\S+?):\\s+<([^>]*)>(.*)$");
    private static final Pattern PEER = Pattern.compile("^(.+)@if(\\d+)$");
    private static final Pattern ADDR = Pattern.compile("^(\\d+):\\s+(\\S+)\\s+(inet6?)\\s+(\\S+)");
    private static final Pattern KIND = Pattern.compile("[a-z][a-z0-9_]*");
    /** Words that open an {@code ip -d} continuation segment without being a link kind. */
    private static final Set<String> NOT_KINDS = Set.of("altname", "alias", "vf", "addrgenmode", "link", "prop");

    /** Parses one {@code ip -o -d link show} line; empty for anything else. */
    public static Optional<Link> parseLink(String line) {
        if (line == null) {
            return Optional.empty();
        }
        Matcher m = LINK.matcher(line.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        int index;
        try {
            index = Integer.parseInt(m.group(1));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        String raw = m.group(2);
        String name = raw;
        int peer = -1;
        String parent = null;
        Matcher p = PEER.matcher(raw);
        if (p.matches()) {
            name = p.group(1);
            peer = Integer.parseInt(p.group(2));
        } else if (raw.endsWith("@NONE")) {
            name = raw.substring(0, raw.length() - "@NONE".length());
        } else {
            int at = raw.indexOf('@');
            if (at > 0 && at < raw.length() - 1) {
                name = raw.substring(0, at);
                parent = raw.substring(at + 1);
            }
        }
        Set<String> flags = Set.of(m.group(3).split(","));
        String rest = m.group(4);
        String[] segments = rest.split("\\\\");
        boolean loopback = flags.contains("LOOPBACK");
        String kind = "";
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i].strip();
            if (s.startsWith("link/")) {
                loopback |= s.startsWith("link/loopback");
                if (i + 1 < segments.length) {
                    String first = segments[i + 1].strip().split("\\s+", 2)[0];
                    if (KIND.matcher(first).matches() && !NOT_KINDS.contains(first)) {
                        kind = first;
                    }
                }
                break;
            }
        }
        return Optional.of(new Link(index, raw, name, peer, parent, kind, loopback, flags.contains("UP")));
    }

    /** Parses one {@code ip -o addr show} line; empty for anything else. */
    public static Optional<Addr> parseAddr(String line) {
        if (line == null) {
            return Optional.empty();
        }
        Matcher m = ADDR.matcher(line.strip());
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(new Addr(Integer.parseInt(m.group(1)), m.group(2), m.group(3), m.group(4)));
    }

    /**
     * Parses the lines of one netns' {@code ip -o -d link show}. A {@code NAME@PARENT} field is split
     * at the {@code @} whose right side is the name of another link in the same list, since names
     * may themselves contain {@code @}.
     */
    public static List<Link> links(List<String> lines) {
        List<Link> links = new ArrayList<>();
        for (String l : lines) {
            parseLink(l).ifPresent(links::add);
        }
        Set<String> rawNames = new java.util.HashSet<>();
        for (Link l : links) {
            rawNames.add(l.rawName());
            rawNames.add(l.name());
        }
        List<Link> fixed = new ArrayList<>(links.size());
        for (Link l : links) {
            if (l.parent() == null) {
                fixed.add(l);
                continue;
            }
            Link chosen = l;
            String raw = l.rawName();
            for (int at = raw.indexOf('@'); at > 0; at = raw.indexOf('@', at + 1)) {
                String parent = raw.substring(at + 1);
                if (isLinkName(parent, links)) {
                    chosen = new Link(l.index(), raw, raw.substring(0, at), -1, parent, l.kind(), l.loopback(), l.up());
                    break;
                }
            }
            fixed.add(chosen);
        }
        return fixed;
    }

    private static boolean isLinkName(String candidate, List<Link> links) {
        for (Link l : links) {
            String raw = l.rawName();
            if (raw.equals(candidate) || raw.startsWith(candidate + "@")) {
                return true;
            }
        }
        return false;
    }

    /** Joins one netns' links and addresses (matched by ifindex) into {@link NetInterface}s, in link order. */
    public static List<NetInterface> interfaces(List<Link> links, List<String> addrLines) {
        Map<Integer, List<String>> addrs = new LinkedHashMap<>();
        for (String l : addrLines) {
            parseAddr(l).ifPresent(a -> addrs.computeIfAbsent(a.index(), k -> new ArrayList<>()).add(a.cidr()));
        }
        List<NetInterface> out = new ArrayList<>(links.size());
        for (Link l : links) {
            out.add(new NetInterface(l.name(), l.index(), l.peerIndex(), l.kind(), addrs.getOrDefault(l.index(), List.of())));
        }
        return out;
    }
}
