package io.k8scap.proxy;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses the text of {@code iptables-save [-c]} (also {@code iptables-restore} input with {@code -N}). One pass,
 * one character scan per line; no regular expressions.
 */
public final class IptablesSaveParser {
    private IptablesSaveParser() {
    }

    /** @throws IllegalArgumentException with the line number when a line is not iptables-save syntax */
    public static IptablesSave parse(String text) {
        IptablesSave save = new IptablesSave();
        IptablesTable table = null;
        List<String> tokens = new ArrayList<>(64);
        int lineNo = 0;
        int pos = 0;
        int len = text.length();
        while (pos < len) {
            int end = text.indexOf('\n', pos);
            if (end < 0) {
                end = len;
            }
            lineNo++;
            int s = pos;
            int e = end;
            pos = end + 1;
            while (s < e && isSpace(text.charAt(s))) {
                s++;
            }
            while (e > s && isSpace(text.charAt(e - 1))) {
                e--;
            }
            if (s == e) {
                continue;
            }
            char c = text.charAt(s);
            if (c == '#') {
                continue;
            }
            if (c == '*') {
                table = save.open(text.substring(s + 1, e));
                continue;
            }
            if (text.startsWith("COMMIT", s) && e - s == 6) {
                table = null;
                continue;
            }
            if (table == null) {
                throw new IllegalArgumentException("iptables-save line " + lineNo + " is outside a *table block: " + text.substring(s, e));
            }
            if (c == ':') {
                int sp = indexOfSpace(text, s, e);
                String chain = text.substring(s + 1, sp);
                int sp2 = sp < e ? indexOfSpace(text, sp + 1, e) : e;
                String policy = sp < e ? text.substring(sp + 1, sp2) : "-";
                table.declare(chain, policy);
                continue;
            }
            Long packets = null;
            Long bytes = null;
            if (c == '[') {
                int close = text.indexOf(']', s);
                int colon = text.indexOf(':', s);
                if (close < 0 || close > e || colon < 0 || colon > close) {
                    throw new IllegalArgumentException("iptables-save line " + lineNo + " has a broken counter: " + text.substring(s, e));
                }
                packets = Long.parseLong(text, s + 1, colon, 10);
                bytes = Long.parseLong(text, colon + 1, close, 10);
                s = close + 1;
                while (s < e && isSpace(text.charAt(s))) {
                    s++;
                }
            }
            if (text.startsWith("-N ", s)) {
                table.declare(text.substring(s + 3, e).trim(), "-");
                continue;
            }
            if (!text.startsWith("-A ", s)) {
                throw new IllegalArgumentException("iptables-save line " + lineNo + " is not a rule: " + text.substring(s, e));
            }
            int chainStart = s + 3;
            int chainEnd = indexOfSpace(text, chainStart, e);
            String chainName = text.substring(chainStart, chainEnd);
            int ruleStart = chainEnd;
            while (ruleStart < e && isSpace(text.charAt(ruleStart))) {
                ruleStart++;
            }
            tokens.clear();
            tokenize(text, ruleStart, e, tokens, lineNo);
            IptablesChain chain = table.declare(chainName, "-");
            table.add(rule(chainName, chain.rules().size() + 1, text.substring(ruleStart, e), packets, bytes, tokens), chain);
        }
        return save;
    }

    private static IptablesRule rule(String chain, int number, String ruleText, Long packets, Long bytes, List<String> t) {
        String source = null, destination = null, protocol = null, dport = null, comment = null, recentName = null, recent = null;
        String matchSet = null, matchSetFlags = null, srcType = null, dstType = null, mark = null, target = null, toDestination = null;
        String rejectWith = null;
        boolean sourceNeg = false, destNeg = false, matchSetNeg = false, gotoTarget = false;
        Double probability = null;
        boolean negate = false;
        int n = t.size();
        for (int i = 0; i < n; i++) {
            String tok = t.get(i);
            String next = i + 1 < n ? t.get(i + 1) : null;
            boolean neg = negate;
            negate = false;
            switch (tok) {
                case "!" -> negate = true;
                case "-s", "--source" -> {
                    source = host(next);
                    sourceNeg = neg;
                    i++;
                }
                case "-d", "--destination" -> {
                    destination = host(next);
                    destNeg = neg;
                    i++;
                }
                case "-p", "--protocol" -> {
                    protocol = next;
                    i++;
                }
                case "--dport", "--destination-port" -> {
                    dport = next;
                    i++;
                }
                case "--comment" -> {
                    comment = next;
                    i++;
                }
                case "--probability" -> {
                    probability = next == null ? null : Double.valueOf(next);
                    i++;
                }
                case "--name" -> {
                    recentName = next;
                    i++;
                }
                case "--rcheck", "--set", "--update", "--remove" -> recent = tok.substring(2);
                case "--match-set" -> {
                    matchSet = next;
                    matchSetFlags = i + 2 < n ? t.get(i + 2) : null;
                    matchSetNeg = neg;
                    i += 2;
                }
                case "--src-type" -> {
                    srcType = (neg ? "!" : "") + next;
                    i++;
                }
                case "--dst-type" -> {
                    dstType = (neg ? "!" : "") + next;
                    i++;
                }
                case "--set-xmark", "--or-mark", "--set-mark" -> {
                    mark = next;
                    i++;
                }
                case "-j", "--jump" -> {
                    target = next;
                    i++;
                }
                case "-g", "--goto" -> {
                    target = next;
                    gotoTarget = true;
                    i++;
                }
                case "--to-destination" -> {
                    toDestination = next == null ? "" : next;
                    i++;
                }
                case "--reject-with" -> {
                    rejectWith = next;
                    i++;
                }
                default -> {
                    // other options and their values (-m NAME, --mode random, --seconds, -i, …) are not needed
                }
            }
        }
        return new IptablesRule(chain, number, ruleText, packets, bytes, source, sourceNeg, destination, destNeg, protocol, dport,
                comment, probability, recentName, recent, matchSet, matchSetFlags, matchSetNeg, srcType, dstType, mark, target,
                gotoTarget, toDestination, rejectWith);
    }

    /** Drops the single-host prefix length iptables-save adds: 10.96.0.10/32 → 10.96.0.10. */
    private static String host(String addr) {
        if (addr == null) {
            return null;
        }
        if (addr.endsWith("/32") && addr.indexOf(':') < 0) {
            return addr.substring(0, addr.length() - 3);
        }
        if (addr.endsWith("/128")) {
            return addr.substring(0, addr.length() - 4);
        }
        return addr;
    }

    /** Shell-style words: whitespace separates, "…" groups (with \" and \\ escapes), as iptables-save quotes. */
    static void tokenize(String text, int s, int e, List<String> out, int lineNo) {
        int i = s;
        StringBuilder sb = null;
        while (i < e) {
            char c = text.charAt(i);
            if (isSpace(c)) {
                i++;
                continue;
            }
            int start = i;
            boolean plain = true;
            while (i < e && !isSpace(text.charAt(i))) {
                if (text.charAt(i) == '"' || text.charAt(i) == '\'') {
                    plain = false;
                    break;
                }
                i++;
            }
            if (plain) {
                out.add(text.substring(start, i));
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder();
            }
            sb.setLength(0);
            sb.append(text, start, i);
            while (i < e && !isSpace(text.charAt(i))) {
                char q = text.charAt(i);
                if (q == '"' || q == '\'') {
                    i++;
                    boolean closed = false;
                    while (i < e) {
                        char d = text.charAt(i);
                        if (d == q) {
                            closed = true;
                            i++;
                            break;
                        }
                        if (d == '\\' && q == '"' && i + 1 < e) {
                            d = text.charAt(++i);
                        }
                        sb.append(d);
                        i++;
                    }
                    if (!closed) {
                        throw new IllegalArgumentException("iptables-save line " + lineNo + " has an unterminated quote");
                    }
                } else {
                    sb.append(q);
                    i++;
                }
            }
            out.add(sb.toString());
        }
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r';
    }

    private static int indexOfSpace(String text, int from, int end) {
        for (int i = from; i < end; i++) {
            if (isSpace(text.charAt(i))) {
                return i;
            }
        }
        return end;
    }
}
