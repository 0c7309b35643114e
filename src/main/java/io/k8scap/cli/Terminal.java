package io.k8scap.cli;

/** Strings that come from the cluster or a node are escaped before they reach a terminal. */
public final class Terminal {
    private Terminal() {}

    /** Replaces control characters (ANSI escapes, CR, BEL, C1 controls …) by {@code \xNN}; keeps newline-free text as is. */
    public static String sanitize(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = (c < 0x20 && c != '\t') || c == 0x7f || (c >= 0x80 && c < 0xa0);
            if (control) {
                if (b == null) {
                    b = new StringBuilder(s.length() + 8).append(s, 0, i);
                }
                b.append(String.format("\\x%02x", (int) c));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }
}
