package io.k8scap.cluster;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes label selectors, parsed and matched here so that a typo is a usage error before any
 * API call, and so that results are right even where a server (or the mock API server, which
 * ignores set-based requirements) filters less than it should. Syntax as kubectl's {@code -l}:
 * {@code a=b}, {@code a==b}, {@code a!=b}, {@code a in (x,y)}, {@code a notin (x,y)}, {@code a},
 * {@code !a}, joined by commas (all must hold).
 */
public final class LabelSelectors {
    private LabelSelectors() {
    }

    public enum Op { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, DOES_NOT_EXIST }

    public record Requirement(String key, Op op, Set<String> values) {
        public Requirement {
            values = Set.copyOf(values);
        }

        public boolean matches(Map<String, String> labels) {
            Map<String, String> l = labels == null ? Map.of() : labels;
            String v = l.get(key);
            return switch (op) {
                case EQUALS, IN -> v != null && values.contains(v);
                case NOT_EQUALS, NOT_IN -> v == null || !values.contains(v);
                case EXISTS -> v != null;
                case DOES_NOT_EXIST -> v == null;
            };
        }
    }

    private static final String KEY = "((?:[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)";
    private static final String VALUE = "([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?";
    private static final Pattern KEY_ONLY = Pattern.compile("(!)?\\s*" + KEY);
    private static final Pattern EQUALITY = Pattern.compile(KEY + "\\s*(==|=|!=)\\s*(" + VALUE + ")");
    private static final Pattern SET = Pattern.compile(KEY + "\\s+(in|notin)\\s*\\(([^()]*)\\)");
    private static final Pattern VALUE_ONLY = Pattern.compile(VALUE);

    /** Parses {@code -l}; a malformed selector is a USAGE (2) error naming the bad part. */
    public static List<Requirement> parse(String selector) {
        List<Requirement> out = new ArrayList<>();
        for (String part : splitTopLevel(selector)) {
            String p = part.trim();
            Matcher m;
            if ((m = SET.matcher(p)).matches()) {
                Set<String> values = new LinkedHashSet<>();
                for (String v : m.group(5).split(",")) {
                    String t = v.trim();
                    if (!VALUE_ONLY.matcher(t).matches()) {
                        throw bad(selector, "'" + t + "' is not a label value");
                    }
                    values.add(t);
                }
                out.add(new Requirement(m.group(1), m.group(4).equals("in") ? Op.IN : Op.NOT_IN, values));
            } else if ((m = EQUALITY.matcher(p)).matches()) {
                out.add(new Requirement(m.group(1), m.group(4).equals("!=") ? Op.NOT_EQUALS : Op.EQUALS, Set.of(m.group(5))));
            } else if ((m = KEY_ONLY.matcher(p)).matches()) {
                out.add(new Requirement(m.group(2), m.group(1) != null ? Op.DOES_NOT_EXIST : Op.EXISTS, Set.of()));
            } else {
                throw bad(selector, p.isEmpty() ? "empty requirement" : "cannot read '" + p + "'");
            }
        }
        return out;
    }

    /** The requirements of a workload's or service's selector; an empty or null selector has none (matches all). */
    public static List<Requirement> of(LabelSelector sel) {
        List<Requirement> out = new ArrayList<>();
        if (sel == null) {
            return out;
        }
        if (sel.getMatchLabels() != null) {
            sel.getMatchLabels().forEach((k, v) -> out.add(new Requirement(k, Op.EQUALS, Set.of(v))));
        }
        if (sel.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : sel.getMatchExpressions()) {
                Set<String> values = r.getValues() == null ? Set.of() : new LinkedHashSet<>(r.getValues());
                Op op = switch (r.getOperator() == null ? "" : r.getOperator()) {
                    case "In" -> Op.IN;
                    case "NotIn" -> Op.NOT_IN;
                    case "Exists" -> Op.EXISTS;
                    case "DoesNotExist" -> Op.DOES_NOT_EXIST;
                    default -> throw K8sCapException.unavailable("unknown selector operator '" + Text.safe(r.getOperator())
                            + "' on key " + Text.safe(r.getKey()));
                };
                out.add(new Requirement(r.getKey(), op, values));
            }
        }
        return out;
    }

    public static boolean matches(List<Requirement> requirements, Map<String, String> labels) {
        return requirements.stream().allMatch(r -> r.matches(labels));
    }

    private static List<String> splitTopLevel(String s) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    private static K8sCapException bad(String selector, String why) {
        return new K8sCapException(ExitCode.USAGE, "bad label selector -l " + Text.safe(selector) + ": " + Text.safe(why)
                + "; use key=value, key!=value, key in (a,b), key notin (a,b), key, !key (comma = and)");
    }
}
