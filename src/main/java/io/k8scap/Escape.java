package io.k8scap;

/**
 * The one escaping rule for strings that came from the cluster, a node or the user before they reach
 * a terminal: control characters (ANSI escapes, CR, BEL, C1 controls, line separators) become
 * a backslash, "u" and four hex digits, so a pod name or an error text can neither rewrite the screen nor break a line.
 */
public final class Escape {
    private Escape() {}

    /** Escapes control characters except TAB and, when {@code keepNewlines}, LF. */
    public static String controls(String s, boolean keepNewlines) {
        if (s == null) {
            return "";
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = (Character.isISOControl(c) && c != '\t' && !(keepNewlines && c == '\n'))
                    || c == '\u2028' || c == '\u2029';
            if (control) {
                if (b == null) {
                    b = new StringBuilder(s.length() + 8).append(s, 0, i);
                }
                b.append(String.format("\\u%04x", (int) c));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }
}
