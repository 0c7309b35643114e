package io.k8scap.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "completion",
        header = "Print a shell completion script (bash, zsh).",
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
        // picocli's script targets bash and, through bashcompinit, zsh; the kubectl plugin name completes too.
        script = script + System.lineSeparator() + "complete -F _complete_k8scap -o default kubectl-k8scap" + System.lineSeparator();
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
