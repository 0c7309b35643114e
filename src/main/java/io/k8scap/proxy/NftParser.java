package io.k8scap.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses {@code nft --json list table ip kube-proxy} (nft's JSON schema version 1). */
public final class NftParser {
    private static final ObjectMapper JSON = new ObjectMapper();

    private NftParser() {
    }

    /** @throws IllegalArgumentException when the text is not nft JSON or holds no table */
    public static NftTable parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("nft --json output is not JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode items = root == null ? null : root.get("nftables");
        if (items == null || !items.isArray()) {
            throw new IllegalArgumentException("nft --json output has no \"nftables\" array");
        }
        String family = null;
        String table = null;
        Map<String, List<NftRule>> chains = new LinkedHashMap<>();
        Map<String, List<NftMapElement>> sets = new LinkedHashMap<>();
        for (JsonNode item : items) {
            if (item.has("table")) {
                family = item.get("table").path("family").asText();
                table = item.get("table").path("name").asText();
            } else if (item.has("chain")) {
                chains.putIfAbsent(item.get("chain").path("name").asText(), new ArrayList<>());
            } else if (item.has("set") || item.has("map")) {
                JsonNode s = item.has("set") ? item.get("set") : item.get("map");
                sets.put(s.path("name").asText(), elements(s.path("elem")));
            } else if (item.has("rule")) {
                NftRule rule = rule(item.get("rule"));
                chains.computeIfAbsent(rule.chain(), c -> new ArrayList<>()).add(rule);
            }
        }
        if (table == null) {
            throw new IllegalArgumentException("nft --json output holds no table");
        }
        return new NftTable(family, table, chains, sets);
    }

    private static List<NftMapElement> elements(JsonNode elem) {
        List<NftMapElement> out = new ArrayList<>();
        for (JsonNode e : elem) {
            if (e.isArray() && e.size() == 2) {
                JsonNode key = e.get(0);
                String comment = null;
                if (key.has("elem")) {
                    comment = key.get("elem").path("comment").asText(null);
                    key = key.get("elem").path("val");
                }
                JsonNode v = e.get(1);
                String verdict = v.isObject() && v.fieldNames().hasNext() ? v.fieldNames().next() : v.asText();
                String target = v.isObject() ? v.path(verdict).path("target").asText(null) : null;
                out.add(new NftMapElement(keyParts(key), comment, verdict, target));
            } else {
                String comment = null;
                JsonNode key = e;
                if (e.has("elem")) {
                    comment = e.get("elem").path("comment").asText(null);
                    key = e.get("elem").path("val");
                }
                out.add(new NftMapElement(keyParts(key), comment, null, null));
            }
        }
        return out;
    }

    private static List<String> keyParts(JsonNode key) {
        List<String> parts = new ArrayList<>();
        if (key.has("concat")) {
            for (JsonNode p : key.get("concat")) {
                parts.add(scalar(p));
            }
        } else {
            parts.add(scalar(key));
        }
        return parts;
    }

    private static String scalar(JsonNode n) {
        if (n.isValueNode()) {
            return n.asText();
        }
        if (n.has("prefix")) {
            return n.get("prefix").path("addr").asText() + "/" + n.get("prefix").path("len").asText();
        }
        if (n.has("range")) {
            return scalar(n.get("range").get(0)) + "-" + scalar(n.get("range").get(1));
        }
        return n.toString();
    }

    private static NftRule rule(JsonNode r) {
        List<String> targets = new ArrayList<>();
        List<String> text = new ArrayList<>();
        Integer mod = null;
        Map<Integer, String> slots = null;
        String dnatAddr = null;
        Integer dnatPort = null;
        for (JsonNode e : r.path("expr")) {
            String op = e.fieldNames().hasNext() ? e.fieldNames().next() : "";
            JsonNode v = e.path(op);
            switch (op) {
                case "match" -> {
                    String o = v.path("op").asText("==");
                    text.add(expr(v.get("left")) + (o.equals("==") || o.equals("in") ? " " : " " + o + " ") + expr(v.get("right")));
                }
                case "jump", "goto" -> {
                    targets.add(v.path("target").asText());
                    text.add(op + " " + v.path("target").asText());
                }
                case "vmap" -> {
                    JsonNode key = v.get("key");
                    JsonNode data = v.get("data");
                    if (key != null && key.has("numgen")) {
                        mod = key.get("numgen").path("mod").asInt();
                        slots = new LinkedHashMap<>();
                    }
                    StringBuilder sb = new StringBuilder(expr(key)).append(" vmap ");
                    if (data != null && data.has("set")) {
                        List<String> items = new ArrayList<>();
                        for (JsonNode pair : data.get("set")) {
                            JsonNode verdict = pair.get(1);
                            String kind = verdict.fieldNames().hasNext() ? verdict.fieldNames().next() : verdict.asText();
                            String target = verdict.path(kind).path("target").asText(null);
                            if (target != null) {
                                targets.add(target);
                            }
                            if (slots != null && pair.get(0).canConvertToInt()) {
                                slots.put(pair.get(0).asInt(), target);
                            }
                            items.add(scalar(pair.get(0)) + " : " + kind + (target == null ? "" : " " + target));
                        }
                        sb.append("{ ").append(String.join(", ", items)).append(" }");
                    } else {
                        sb.append(data == null ? "?" : data.asText());
                    }
                    text.add(sb.toString());
                }
                case "dnat" -> {
                    dnatAddr = v.hasNonNull("addr") ? scalar(v.get("addr")) : null;
                    dnatPort = v.has("port") && v.get("port").canConvertToInt() ? v.get("port").asInt() : null;
                    text.add("dnat to " + (dnatAddr == null ? "" : dnatAddr.indexOf(':') >= 0 ? "[" + dnatAddr + "]" : dnatAddr)
                            + (dnatPort == null ? "" : ":" + dnatPort));
                }
                case "set" -> text.add(v.path("op").asText() + " " + v.path("set").asText() + " { " + expr(v.get("elem")) + " }");
                case "mangle" -> text.add(expr(v.get("key")) + " set " + expr(v.get("value")));
                case "reject", "masquerade", "counter", "return", "accept", "drop" -> text.add(op);
                default -> text.add(op + " " + v);
            }
        }
        return new NftRule(r.path("chain").asText(), r.path("handle").asLong(), String.join(" ", text), List.copyOf(targets), mod,
                slots == null ? null : java.util.Collections.unmodifiableMap(slots), dnatAddr, dnatPort);
    }

    /** Renders an expression the way {@code nft list} prints it, well enough for a trace. */
    private static String expr(JsonNode n) {
        if (n == null) {
            return "?";
        }
        if (n.isValueNode()) {
            return n.asText();
        }
        if (n.isArray()) {
            List<String> parts = new ArrayList<>();
            n.forEach(p -> parts.add(expr(p)));
            return "{ " + String.join(", ", parts) + " }";
        }
        Iterator<String> names = n.fieldNames();
        String k = names.hasNext() ? names.next() : "";
        JsonNode v = n.get(k);
        return switch (k) {
            case "payload" -> v.path("protocol").asText() + " " + v.path("field").asText();
            case "meta" -> "meta " + v.path("key").asText();
            case "ct" -> "ct " + v.path("key").asText();
            case "fib" -> "fib " + String.join(" ", textList(v.path("flags"))) + " " + v.path("result").asText();
            case "numgen" -> "numgen " + v.path("mode").asText() + " mod " + v.path("mod").asText();
            case "concat" -> {
                List<String> parts = new ArrayList<>();
                v.forEach(p -> parts.add(expr(p)));
                yield String.join(" . ", parts);
            }
            case "prefix" -> v.path("addr").asText() + "/" + v.path("len").asText();
            case "set" -> expr(v);
            case "|", "&", "^" -> expr(v.get(0)) + " " + k + " " + expr(v.get(1));
            default -> k + " " + v;
        };
    }

    private static List<String> textList(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n.isArray()) {
            n.forEach(x -> out.add(x.asText()));
        } else if (!n.isMissingNode()) {
            out.add(n.asText());
        }
        return out;
    }
}
