package io.k8scap.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "completion",
        header = "Print a shell completion script (bash, zsh): commands, options, and names from the cluster.",
        description = {
            "  bash: source <(k8scap completion bash)",
            "  zsh:  autoload -U +X bashcompinit && bashcompinit && source <(k8scap completion zsh)"
        })
final class CompletionCommand implements Callable<Integer> {
    enum Shell { bash, zsh }

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SHELL", description = "${COMPLETION-CANDIDATES}")
    Shell shell;

    @Override
    public Integer call() {
        CommandLine root = spec.root().commandLine();
        String script = AutoComplete.bash("k8scap", root);
        // picocli's script targets bash and, through bashcompinit, zsh; completion-names.bash puts a
        // function in front of it that asks `k8scap __complete` for names from the cluster, for
        // k8scap and the kubectl plugin name alike.
        script = script + names();
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private static String names() {
        try (java.io.InputStream in = CompletionCommand.class.getResourceAsStream("completion-names.bash")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException | NullPointerException e) {
            throw new IllegalStateException("completion-names.bash is missing from the jar", e);
        }
    }
}
