package io.k8scap.node.ssh;

import io.k8scap.K8sCapException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The part of OpenSSH's client configuration ({@code ssh_config(5)}) that k8scap uses: {@code Host}
 * blocks with {@code *}/{@code ?} patterns and {@code !} negation, {@code Include}, case-insensitive
 * keywords, {@code key value} and {@code key=value}, quoted values, first value wins (except
 * {@code IdentityFile}, which accumulates). {@code Match} blocks are not evaluated: their options are
 * skipped. JSch's own OpenSSHConfig cannot say whether a Host entry other than {@code *} matched,
 * which the node-name-or-address rule needs, so this small parser does it.
 */
public final class SshConfigFile {

    /** One {@code Host} block (patterns empty for the options before the first Host line). */
    record Block(List<String> patterns, boolean match, List<Map.Entry<String, String>> options) {}

    private final List<Block> blocks;

    private SshConfigFile(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    public static SshConfigFile empty() {
        return new SshConfigFile(List.of());
    }

    /** Parses a config text; {@code Include} paths resolve against {@code sshDir} (~/.ssh). */
    public static SshConfigFile parse(String text, Path sshDir) {
        List<Block> blocks = new ArrayList<>();
        blocks.add(new Block(List.of(), false, new ArrayList<>()));
        parseInto(text, sshDir, blocks, 0);
        return new SshConfigFile(blocks);
    }

    /**
     * Reads {@code file}. A missing file is an error only when the user named it ({@code explicit});
     * the default ~/.ssh/config may well not exist.
     */
    public static SshConfigFile load(Path file, boolean explicit, Path sshDir) {
        if (!Files.exists(file)) {
            if (explicit) {
                throw K8sCapException.config("ssh config file " + file + " does not exist: fix --ssh-config or leave it out");
            }
            return empty();
        }
        try {
            return parse(Files.readString(file), sshDir);
        } catch (IOException e) {
            throw K8sCapException.config("cannot read ssh config file " + file + ": " + e.getMessage());
        }
    }

    private static void parseInto(String text, Path sshDir, List<Block> blocks, int depth) {
        for (String raw : text.split("\r?\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            List<String> words = words(line);
            if (words.isEmpty()) {
                continue;
            }
            String key = words.get(0).toLowerCase(Locale.ROOT);
            List<String> args = words.subList(1, words.size());
            switch (key) {
                case "host" -> blocks.add(new Block(List.copyOf(args), false, new ArrayList<>()));
                case "match" -> blocks.add(new Block(List.of(), true, new ArrayList<>()));
                case "include" -> {
                    if (depth < 8) {
                        for (String pattern : args) {
                            for (Path included : expandInclude(pattern, sshDir)) {
                                try {
                                    parseInto(Files.readString(included), sshDir, blocks, depth + 1);
                                } catch (IOException e) {
                                    throw K8sCapException.config("cannot read ssh config file " + included + " (Include): " + e.getMessage());
                                }
                            }
                        }
                    }
                }
                default -> {
                    if (!args.isEmpty()) {
                        blocks.get(blocks.size() - 1).options().add(Map.entry(key, String.join(" ", args)));
                    }
                }
            }
        }
    }

    private static List<Path> expandInclude(String pattern, Path sshDir) {
        Path p = pattern.startsWith("~/") && sshDir.getParent() != null ? sshDir.getParent().resolve(pattern.substring(2)) : Path.of(pattern);
        if (!p.isAbsolute()) {
            p = sshDir.resolve(p);
        }
        String name = p.getFileName().toString();
        Path dir = p.getParent();
        List<Path> out = new ArrayList<>();
        if (!name.contains("*") && !name.contains("?")) {
            if (Files.isRegularFile(p)) {
                out.add(p);
            }
            return out;
        }
        if (dir == null || !Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, name)) {
            ds.forEach(f -> {
                if (Files.isRegularFile(f)) {
                    out.add(f);
                }
            });
        } catch (IOException e) {
            return out;
        }
        out.sort(null);
        return out;
    }

    /** Splits a config line into words: whitespace or one {@code =} separates the keyword; double quotes group. */
    static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean inWord = false;
        boolean first = true;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                inWord = true;
            } else if (!quoted && (Character.isWhitespace(c) || (first && c == '='))) {
                if (inWord) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    inWord = false;
                    first = false;
                }
                if (c == '=') {
                    first = false;
                }
            } else {
                cur.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            out.add(cur.toString());
        }
        return out;
    }

    /** Options that apply to {@code host}, and whether a Host entry other than a bare {@code *} matched it. */
    public HostConfig lookup(String host) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        boolean specific = false;
        for (Block b : blocks) {
            boolean applies;
            if (b.match()) {
                applies = false;
            } else if (b.patterns().isEmpty()) {
                applies = true;
            } else {
                applies = matches(b.patterns(), host);
                if (applies && !(b.patterns().size() == 1 && b.patterns().get(0).equals("*"))) {
                    specific = true;
                }
            }
            if (!applies) {
                continue;
            }
            for (Map.Entry<String, String> o : b.options()) {
                List<String> v = values.computeIfAbsent(o.getKey(), k -> new ArrayList<>());
                if (v.isEmpty() || o.getKey().equals("identityfile")) {
                    v.add(o.getValue());
                }
            }
        }
        return new HostConfig(host, specific, values);
    }

    /** OpenSSH's rule: some positive pattern matches and no negated one does. */
    static boolean matches(List<String> patterns, String host) {
        boolean positive = false;
        for (String p : patterns) {
            if (p.startsWith("!")) {
                if (glob(p.substring(1), host)) {
                    return false;
                }
            } else if (glob(p, host)) {
                positive = true;
            }
        }
        return positive;
    }

    static boolean glob(String pattern, String s) {
        return glob(pattern.toLowerCase(Locale.ROOT), 0, s.toLowerCase(Locale.ROOT), 0);
    }

    private static boolean glob(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '*') {
                for (int k = si; k <= s.length(); k++) {
                    if (glob(p, pi + 1, s, k)) {
                        return true;
                    }
                }
                return false;
            }
            if (si >= s.length() || (c != '?' && c != s.charAt(si))) {
                return false;
            }
            pi++;
            si++;
        }
        return si == s.length();
    }

    /**
     * What the config says for one host.
     *
     * @param specificMatch a Host entry other than a bare {@code *} matched
     */
    public record HostConfig(String host, boolean specificMatch, Map<String, List<String>> values) {
        public String first(String keyword) {
            List<String> v = values.get(keyword.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        public List<String> all(String keyword) {
            List<String> v = values.get(keyword.toLowerCase(Locale.ROOT));
            return v == null ? List.of() : v;
        }
    }
}
