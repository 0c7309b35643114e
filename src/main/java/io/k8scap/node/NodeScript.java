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
 * parameters ({@code $1 $2 …}); nothing is ever spliced into the script text.
 */
public final class NodeScript {
    private final String name;
    private final String text;

    private NodeScript(String name, String text) {
        this.name = name;
        this.text = text;
    }

    public static NodeScript load(String name) {
        String resource = name + ".sh";
        try (InputStream in = NodeScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new K8sCapException(ExitCode.FAILURE, "node script " + resource + " is missing from the k8scap jar; rebuild it");
            }
            return new NodeScript(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new K8sCapException(ExitCode.FAILURE, "cannot read node script " + resource + ": " + e.getMessage(), e);
        }
    }

    public String name() {
        return name;
    }

    public String text() {
        return text;
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
        words.add(text);
        words.add("k8scap-" + name);
        words.addAll(args);
        return ShellQuote.join(words);
    }
}
