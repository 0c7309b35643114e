package io.k8scap.proxy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses {@code ipset list} (all sets, or {@code ipset list NAME}). */
public final class IpsetParser {
    private IpsetParser() {
    }

    /** Sets by name, in output order. */
    public static Map<String, IpsetSet> parse(String text) {
        Map<String, IpsetSet> sets = new LinkedHashMap<>();
        Map<String, String> fields = null;
        List<String> members = null;
        int lineNo = 0;
        for (String raw : text.split("\n")) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("Name:")) {
                add(sets, fields, members);
                fields = new LinkedHashMap<>();
                members = null;
                fields.put("Name", line.substring(5).strip());
                continue;
            }
            if (fields == null) {
                throw new IllegalArgumentException("ipset list line " + lineNo + " is outside a set: " + line);
            }
            if (members != null) {
                members.add(line);
                continue;
            }
            if (line.equals("Members:")) {
                members = new ArrayList<>();
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("ipset list line " + lineNo + " is not 'Field: value': " + line);
            }
            fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
        }
        add(sets, fields, members);
        return sets;
    }

    private static void add(Map<String, IpsetSet> sets, Map<String, String> f, List<String> members) {
        if (f == null) {
            return;
        }
        IpsetSet set = new IpsetSet(f.get("Name"), f.get("Type"), integer(f.get("Revision")), f.get("Header"),
                f.get("Size in memory") == null ? null : Long.valueOf(f.get("Size in memory")), integer(f.get("References")),
                integer(f.get("Number of entries")), members == null ? List.of() : List.copyOf(members));
        sets.put(set.name(), set);
    }

    private static Integer integer(String s) {
        return s == null || s.isEmpty() ? null : Integer.valueOf(s);
    }
}
