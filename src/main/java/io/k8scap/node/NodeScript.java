package io.k8scap.node;

import io.k8scap.K8sCapException;
import io.k8scap.ExitCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A node-side POSIX sh script shipped as a resource ({@code src/main/resources/io/k8scap/node/NAME.sh}).
 * The script text travels as one quoted {@code sh -c} argument and its arguments as quoted positional
 * parameters ({@code $1 $2 …}) or on stdin; nothing is ever spliced into the script text. Every
 * script gets the one shared preamble ({@code preamble.sh}), and may take in another script whole
 * with an {@code #include NAME} line (as {@code locate-capture.sh} does locate.sh and capture.sh).
 */
public final class NodeScript {
    /** What every script starts with: PATH and LC_ALL for the node's tools. */
    static final String PREAMBLE = "preamble";
    private static final java.util.regex.Pattern INCLUDE = java.util.regex.Pattern.compile("#include ([a-z][a-z0-9/-]*)");
    private static final java.util.regex.Pattern HEREDOC = java.util.regex.Pattern.compile("<<-?\\s*'?\"?([A-Za-z_][A-Za-z0-9_]*)");

    private final String name;
    private final String text;
    private final String compact;

    private NodeScript(String name, String text) {
        this.name = name;
        this.text = text;
        this.compact = compact(text);
    }

    /**
     * The script without its comment lines and blank lines (here-document bodies kept as they are):
     * what travels. Half the scripts' text is documentation, and the whole script is one argument of
     * an SSH exec request or of a pods/exec URL, where proxies limit the request line (nginx: 8 KB).
     */
    static String compact(String text) {
        StringBuilder out = new StringBuilder(text.length());
        String heredocEnd = null;
        for (String line : text.split("\n", -1)) {
            if (heredocEnd != null) {
                out.append(line).append('\n');
                if (line.strip().equals(heredocEnd)) {
                    heredocEnd = null;
                }
                continue;
            }
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            out.append(line).append('\n');
            java.util.regex.Matcher m = HEREDOC.matcher(line);
            if (m.find()) {
                heredocEnd = m.group(1);
            }
        }
        return out.toString();
    }

    /**
     * Loads {@code NAME.sh}: the shared {@code preamble.sh} (PATH, LC_ALL), then the script, with
     * each {@code #include OTHER} line replaced by that script's own text (without its preamble).
     */
    public static NodeScript load(String name) {
        return new NodeScript(name, read(PREAMBLE) + expand(name, 0));
    }

    /** The script's text with its includes expanded, without the preamble. */
    private static String expand(String name, int depth) {
        if (depth > 4) {
            throw new K8sCapException(ExitCode.FAILURE, "node script " + name + ".sh: includes nested too deep");
        }
        StringBuilder out = new StringBuilder();
        for (String line : read(name).split("\n", -1)) {
            java.util.regex.Matcher m = INCLUDE.matcher(line);
            if (m.matches()) {
                out.append(expand(m.group(1), depth + 1));
            } else {
                out.append(line).append('\n');
            }
        }
        out.setLength(out.length() - 1); // the split's last element had no newline
        return out.toString();
    }

    private static String read(String name) {
        String resource = name + ".sh";
        try (InputStream in = NodeScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new K8sCapException(ExitCode.FAILURE, "node script " + resource + " is missing from the k8scap jar; rebuild it");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new K8sCapException(ExitCode.FAILURE, "cannot read node script " + resource + ": " + e.getMessage(), e);
        }
    }

    public String name() {
        return name;
    }

    /** The script as it runs: the preamble, then the script with its includes, comments included. */
    public String text() {
        return text;
    }

    /** What runs on the node: {@link #text()} without comment and blank lines. */
    public String compactText() {
        return compact;
    }

    /**
     * The command line a node's login shell runs: {@code [sudo -n] sh -c 'SCRIPT' k8scap-NAME 'ARG'…}.
     * With {@code sudo}, {@code -n} makes sudo fail at once instead of prompting for a password.
     */
    public String commandLine(List<String> args, boolean sudo) {
        List<String> words = new ArrayList<>();
        if (sudo) {
            words.add("sudo");
            words.add("-n");
        }
        words.add("sh");
        words.add("-c");
        words.add(compact);
        words.add("k8scap-" + name);
        words.addAll(args);
        return ShellQuote.join(words);
    }
}
