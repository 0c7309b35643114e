package io.k8scap.node.ssh;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.util.ArrayList;
import java.util.List;

/**
 * One bastion hop as {@code --jump} and {@code ProxyJump} write it: {@code [user@]host[:port]},
 * {@code ssh://[user@]host[:port]}, IPv6 as {@code [addr]:port}. User and port are null when not given.
 */
public record JumpSpec(String user, String host, Integer port) {

    /** Parses a comma-separated list of hops (the first is reached first); "none" or blank means no jump. */
    public static List<JumpSpec> parseList(String spec, String origin) {
        List<JumpSpec> hops = new ArrayList<>();
        if (spec == null || spec.isBlank() || spec.strip().equalsIgnoreCase("none")) {
            return hops;
        }
        for (String part : spec.split(",")) {
            hops.add(parse(part.strip(), origin));
        }
        return hops;
    }

    public static JumpSpec parse(String spec, String origin) {
        String s = spec;
        if (s.startsWith("ssh://")) {
            s = s.substring("ssh://".length());
            if (s.endsWith("/")) {
                s = s.substring(0, s.length() - 1);
            }
        }
        String user = null;
        int at = s.lastIndexOf('@');
        if (at >= 0) {
            user = s.substring(0, at);
            s = s.substring(at + 1);
            if (user.isEmpty()) {
                throw bad(spec, origin, "empty user");
            }
        }
        String host;
        Integer port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw bad(spec, origin, "unclosed [");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw bad(spec, origin, "junk after ]");
                }
                port = port(rest.substring(1), spec, origin);
            }
        } else {
            int colon = s.indexOf(':');
            if (colon >= 0 && s.indexOf(':', colon + 1) < 0) {
                host = s.substring(0, colon);
                port = port(s.substring(colon + 1), spec, origin);
            } else {
                host = s; // a bare IPv6 address has several colons and no port
            }
        }
        if (host.isEmpty() || host.chars().anyMatch(c -> Character.isWhitespace(c) || c == '/')) {
            throw bad(spec, origin, "no host");
        }
        return new JumpSpec(user, host, port);
    }

    private static Integer port(String s, String spec, String origin) {
        try {
            int p = Integer.parseInt(s);
            if (p < 1 || p > 65535) {
                throw bad(spec, origin, "port out of range");
            }
            return p;
        } catch (NumberFormatException e) {
            throw bad(spec, origin, "port is not a number");
        }
    }

    private static K8sCapException bad(String spec, String origin, String why) {
        ExitCode code = origin.startsWith("--") ? ExitCode.USAGE : ExitCode.CONFIG;
        return new K8sCapException(code, "invalid jump host '" + spec + "' in " + origin + " (" + why + "): expected [user@]host[:port]");
    }

    @Override
    public String toString() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return (user == null ? "" : user + "@") + h + (port == null ? "" : ":" + port);
    }
}
