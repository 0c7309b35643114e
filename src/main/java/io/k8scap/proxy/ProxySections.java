package io.k8scap.proxy;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sections {@code proxy.sh} prints, split by its random boundary token:
 * {@code BOUNDARY begin NAME\n<stdout>\nBOUNDARY end NAME RC\n}. A command's output cannot end its
 * section early without knowing the token, which k8scap draws fresh for every run.
 */
public final class ProxySections {
    /** One command's answer. {@code rc} 127 means the command is not installed on the node. */
    public record Section(String name, String text, int rc) {
        public boolean ok() {
            return rc == 0;
        }

        public boolean missing() {
            return rc == 127;
        }
    }

    private final Map<String, Section> sections;

    private ProxySections(Map<String, Section> sections) {
        this.sections = sections;
    }

    /**
     * @throws IllegalArgumentException when the output is not framed with {@code boundary}, or was cut short
     *     (no {@code done} section)
     */
    public static ProxySections parse(String output, String boundary) {
        Map<String, Section> map = new LinkedHashMap<>();
        String begin = boundary + " begin ";
        String endMark = "\n" + boundary + " end ";
        int pos = 0;
        while (pos < output.length()) {
            if (!output.startsWith(begin, pos)) {
                throw new IllegalArgumentException("unexpected output at byte " + pos + " (expected a section start): "
                        + excerpt(output, pos));
            }
            int nl = output.indexOf('\n', pos);
            if (nl < 0) {
                throw new IllegalArgumentException("section header without end of line at byte " + pos);
            }
            String name = output.substring(pos + begin.length(), nl);
            String end = endMark + name + " ";
            int e = output.indexOf(end, nl);
            if (e < 0) {
                throw new IllegalArgumentException("section " + name + " has no end (output cut short?)");
            }
            int eol = output.indexOf('\n', e + end.length());
            if (eol < 0) {
                eol = output.length();
            }
            int rc;
            try {
                rc = Integer.parseInt(output.substring(e + end.length(), eol).strip());
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("section " + name + " ends without an exit status");
            }
            // the text starts after the header's newline; the newline before the end line is the script's own
            map.put(name, new Section(name, output.substring(nl + 1, e), rc));
            pos = eol + 1;
        }
        if (!map.containsKey("done")) {
            throw new IllegalArgumentException("the output is incomplete (no final 'done' section)");
        }
        return new ProxySections(map);
    }

    private static String excerpt(String s, int pos) {
        String t = s.substring(pos, Math.min(s.length(), pos + 60));
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }

    public Section get(String name) {
        return sections.get(name);
    }

    /** The section's text when the command ran and succeeded; null when it is absent, missing or failed. */
    public String text(String name) {
        Section s = sections.get(name);
        return s == null || !s.ok() ? null : s.text();
    }

    public boolean has(String name) {
        return sections.containsKey(name);
    }
}
