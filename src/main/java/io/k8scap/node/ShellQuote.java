package io.k8scap.node;

import java.util.List;
import java.util.stream.Collectors;

/** POSIX shell quoting: every value from the user or the cluster reaches a node only through here. */
public final class ShellQuote {
    private ShellQuote() {}

    /** Single-quotes {@code s} so that {@code sh} reads it back as exactly one word, byte for byte. */
    public static String quote(String s) {
        if (s == null) {
            throw new IllegalArgumentException("null cannot be passed to a node command");
        }
        if (!s.isEmpty() && s.chars().allMatch(ShellQuote::isSafe)) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }

    public static String join(List<String> words) {
        return words.stream().map(ShellQuote::quote).collect(Collectors.joining(" "));
    }

    private static boolean isSafe(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '_' || c == '.' || c == '/' || c == ':' || c == '=' || c == ',' || c == '@' || c == '+';
    }
}
