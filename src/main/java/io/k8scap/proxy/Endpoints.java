package io.k8scap.proxy;

import java.util.List;

/** Small shared checks on addresses, endpoints and load-balancing sequences. */
final class Endpoints {
    private Endpoints() {
    }

    /** True for {@code ip:port} / {@code [ip6]:port} with a literal IP and a port 1..65535. */
    static boolean validEndpoint(String text) {
        if (text == null || text.isEmpty()) {
            return false;
        }
        String ip;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                return false;
            }
            ip = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0 || text.indexOf(':') != colon) {
                return false;
            }
            ip = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        return validIp(ip) && validPort(port);
    }

    static boolean validPort(String port) {
        if (port.isEmpty() || port.length() > 5) {
            return false;
        }
        for (int i = 0; i < port.length(); i++) {
            if (!Character.isDigit(port.charAt(i))) {
                return false;
            }
        }
        int p = Integer.parseInt(port);
        return p >= 1 && p <= 65535;
    }

    static boolean validIp(String ip) {
        if (ip.isEmpty()) {
            return false;
        }
        if (ip.indexOf(':') >= 0) {
            for (int i = 0; i < ip.length(); i++) {
                char c = ip.charAt(i);
                if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                    return false;
                }
            }
            return ip.contains("::") || ip.chars().filter(c -> c == ':').count() == 7;
        }
        String[] parts = ip.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    /**
     * The first rule (0-based) whose probability is not 1/(n−i), or -1. The last rule must carry none. Values
     * printed with 5 decimals (kube-proxy before 1.17) get their rounding as tolerance; 10/11 decimals get 1e-8.
     */
    static int wrongProbability(List<Double> probabilities) {
        int n = probabilities.size();
        for (int i = 0; i < n; i++) {
            Double p = probabilities.get(i);
            if (i == n - 1) {
                if (p != null && Math.abs(p - 1.0) > 1e-8) {
                    return i;
                }
                continue;
            }
            double expected = 1.0 / (n - i);
            if (p == null) {
                return i;
            }
            double scaled = p * 1e5;
            double tolerance = Math.abs(scaled - Math.rint(scaled)) < 1e-3 ? 5.1e-6 : 1e-8;
            if (Math.abs(p - expected) > tolerance) {
                return i;
            }
        }
        return -1;
    }

    /** The share of new connections each rule of a probability sequence gets. */
    static double[] shares(List<Double> probabilities) {
        double[] shares = new double[probabilities.size()];
        double remaining = 1.0;
        for (int i = 0; i < shares.length; i++) {
            Double p = probabilities.get(i);
            double take = p == null ? remaining : remaining * p;
            shares[i] = take;
            remaining -= take;
        }
        return shares;
    }
}
