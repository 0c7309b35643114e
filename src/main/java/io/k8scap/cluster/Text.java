package io.k8scap.cluster;

import io.k8scap.Escape;
import java.util.Collection;
import java.util.stream.Collectors;

/** Small helpers for messages built from cluster or user strings: one line, no control characters. */
final class Text {
    private Text() {
    }

    /** Collapses whitespace to single spaces and escapes control characters, so a value cannot break the line or the terminal. */
    static String safe(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        boolean space = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                space = true;
                continue;
            }
            if (space && b.length() > 0) {
                b.append(' ');
            }
            space = false;
            b.append(c);
        }
        return Escape.controls(b.toString(), false);
    }

    /** {@link #safe} and cut to {@code max} characters with an ellipsis. */
    static String safe(String s, int max) {
        String t = safe(s);
        return t.length() <= max ? t : t.substring(0, Math.max(0, max - 1)) + "…";
    }

    static String list(Collection<String> items) {
        return items.stream().map(Text::safe).collect(Collectors.joining(", "));
    }

    /** "1 pod" / "3 pods". */
    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
