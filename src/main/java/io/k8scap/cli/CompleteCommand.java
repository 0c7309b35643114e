package io.k8scap.cli;

import io.k8scap.cluster.KubeSettings;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The shell's helper, as kubectl's {@code __complete}: given the words typed after {@code k8scap}
 * (the last one being the word under completion, maybe empty), prints the candidates one per line,
 * then {@code :DIRECTIVE} (cobra's protocol, which kubectl's plugin completion also reads: 0 = the
 * shell may complete file names, 4 = it may not). Names from the cluster — pods for a target,
 * namespaces for {@code -n}, contexts for {@code --context}, nodes for {@code --node} — are looked up
 * within {@link #bound} (1 s); past it, or on any error, nothing is offered and nothing is said.
 * Called as {@code k8scap __complete -- WORDS…}, so that the words' options are not its own.
 */
@Command(name = "__complete", hidden = true, header = "Print completion candidates for the words after `k8scap` (used by the completion script).")
final class CompleteCommand implements Callable<Integer> {
    /**
     * How long a shell waits at most for names from the cluster (after the JVM's start): 1 s, or
     * {@code $K8SCAP_COMPLETION_TIMEOUT} (e.g. {@code 3s}, for a cluster behind a slow VPN).
     */
    static Duration bound(String env) {
        if (env != null && !env.isBlank()) {
            try {
                return new DurationConverter().convert(env.strip());
            } catch (Exception e) {
                // a bad value: the default, silently (completion has no place for messages)
            }
        }
        return Duration.ofSeconds(1);
    }

    static final int DEFAULT = 0;
    static final int NO_FILE_COMP = 4;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "WORD")
    List<String> words = new ArrayList<>();

    /** Where names come from; {@link #cluster()} in a real run. */
    interface Lookups {
        List<String> contexts(KubeSettings s) throws Exception;

        List<String> namespaces(KubeSettings s) throws Exception;

        List<String> pods(KubeSettings s) throws Exception;

        List<String> nodes(KubeSettings s) throws Exception;
    }

    record Answer(List<String> candidates, int directive) {}

    @Override
    public Integer call() {
        Answer a = answer(spec.root().commandLine(), words, cluster(), bound(System.getenv("K8SCAP_COMPLETION_TIMEOUT")));
        PrintWriter out = spec.commandLine().getOut();
        a.candidates().forEach(out::println);
        out.println(":" + a.directive());
        out.flush();
        return 0;
    }

    /** The commands whose positional parameters are pods (or workloads) in the namespace. */
    private static final Set<String> POD_TARGETS = Set.of("locate", "capture", "debug");
    private static final Set<String> NAMESPACE_OPTIONS = Set.of("-n", "--namespace", "--helper-namespace");

    /** {@code name} of {@code cmd}; before the command, the kube options as locate has them (they may be typed there). */
    private static OptionSpec option(CommandLine root, CommandLine cmd, String name) {
        OptionSpec o = cmd.getCommandSpec().findOption(name);
        if (o == null && cmd == root && root.getSubcommands().containsKey("locate")) {
            o = root.getSubcommands().get("locate").getCommandSpec().findOption(name);
        }
        return o;
    }

    /** What to offer for {@code words} (the last one under completion) in {@code root}'s command tree. */
    static Answer answer(CommandLine root, List<String> words, Lookups lookups, Duration bound) {
        String cur = words.isEmpty() ? "" : words.get(words.size() - 1);
        // options typed before the command are the command's (Cli.run moves them after it)
        List<String> before = words.isEmpty() ? List.of()
                : List.of(io.k8scap.startup.ArgumentGuess.commandFirst(words.subList(0, words.size() - 1).toArray(String[]::new)));
        CommandLine cmd = root;
        OptionSpec pending = null; // an option whose value is the next word
        boolean endOfOptions = false;
        int positionals = 0;
        for (String w : before) {
            if (pending != null) {
                pending = null;
            } else if (endOfOptions) {
                positionals++;
            } else if (w.equals("--")) {
                endOfOptions = true;
            } else if (w.startsWith("-") && w.length() > 1) {
                OptionSpec o = option(root, cmd, w.contains("=") ? w.substring(0, w.indexOf('=')) : w);
                if (o != null && !w.contains("=") && o.arity().max() > 0) {
                    pending = o;
                }
            } else if (positionals == 0 && cmd.getSubcommands().containsKey(w)) {
                cmd = cmd.getSubcommands().get(w);
            } else {
                positionals++;
            }
        }
        KubeSettings settings = io.k8scap.startup.ArgumentGuess.kubeSettings(before.toArray(String[]::new));
        if (pending != null) {
            return values(pending, optionName(pending, before), "", cur, settings, lookups, bound);
        }
        if (!endOfOptions && cur.startsWith("--") && cur.contains("=")) {
            String name = cur.substring(0, cur.indexOf('='));
            OptionSpec o = option(root, cmd, name);
            if (o == null || o.arity().max() == 0) {
                return new Answer(List.of(), NO_FILE_COMP);
            }
            return values(o, name, name + "=", cur.substring(name.length() + 1), settings, lookups, bound);
        }
        if (!endOfOptions && cur.startsWith("-")) {
            List<String> names = new ArrayList<>();
            for (OptionSpec o : cmd.getCommandSpec().options()) {
                if (!o.hidden()) {
                    names.addAll(List.of(o.names()));
                }
            }
            return new Answer(matching(names, cur), NO_FILE_COMP);
        }
        if (endOfOptions) {
            return new Answer(List.of(), DEFAULT); // a BPF filter, or the command debug runs
        }
        if (positionals == 0 && !cmd.getSubcommands().isEmpty()) {
            List<String> subs = new ArrayList<>();
            cmd.getSubcommands().forEach((name, sub) -> {
                if (!sub.getCommandSpec().usageMessage().hidden()) {
                    subs.add(name);
                }
            });
            return new Answer(matching(subs, cur), NO_FILE_COMP);
        }
        if (POD_TARGETS.contains(cmd.getCommandName())) {
            return lookup(() -> lookups.pods(settings), "", cur, bound);
        }
        List<PositionalParamSpec> params = cmd.getCommandSpec().positionalParameters();
        for (PositionalParamSpec p : params) {
            if (p.index().contains(positionals) && p.completionCandidates() != null) {
                List<String> c = new ArrayList<>();
                p.completionCandidates().forEach(c::add);
                return new Answer(matching(c, cur), NO_FILE_COMP);
            }
        }
        return new Answer(List.of(), DEFAULT);
    }

    /** The name the user typed for {@code o} (its last occurrence in {@code before}). */
    private static String optionName(OptionSpec o, List<String> before) {
        for (int i = before.size() - 1; i >= 0; i--) {
            for (String n : o.names()) {
                if (n.equals(before.get(i))) {
                    return n;
                }
            }
        }
        return o.longestName();
    }

    private static Answer values(OptionSpec o, String name, String prefix, String cur, KubeSettings settings, Lookups lookups,
                                 Duration bound) {
        if (NAMESPACE_OPTIONS.contains(name) || Set.of(o.names()).contains("--namespace")) {
            return lookup(() -> lookups.namespaces(settings), prefix, cur, bound);
        }
        if (name.equals("--context")) {
            return lookup(() -> lookups.contexts(settings), prefix, cur, bound);
        }
        if (name.equals("--node")) {
            return lookup(() -> lookups.nodes(settings), prefix, cur, bound);
        }
        if (o.completionCandidates() != null) {
            List<String> c = new ArrayList<>();
            // k8scap's enum values are case-insensitive; picocli offers their constants' (upper-case) names
            o.completionCandidates().forEach(v -> c.add(prefix + (o.type().isEnum() ? v.toLowerCase(java.util.Locale.ROOT) : v)));
            return new Answer(matching(c, prefix + cur), NO_FILE_COMP);
        }
        return new Answer(List.of(), DEFAULT); // a file, a duration…: the shell's own completion
    }

    private interface Names {
        List<String> get() throws Exception;
    }

    /** Names from {@code names} starting with {@code cur}, each after {@code prefix}; none past {@code bound} or on error. */
    private static Answer lookup(Names names, String prefix, String cur, Duration bound) {
        CompletableFuture<List<String>> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(names.get());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "k8scap-complete");
        t.setDaemon(true);
        t.start();
        List<String> found;
        try {
            found = f.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return new Answer(List.of(), NO_FILE_COMP); // silent: a shell has no place for messages
        }
        List<String> out = new ArrayList<>();
        for (String n : matching(found, cur)) {
            if (n.chars().noneMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
                out.add(prefix + n);
            }
        }
        return new Answer(out, NO_FILE_COMP);
    }

    private static List<String> matching(List<String> names, String cur) {
        return names.stream().filter(n -> n.startsWith(cur)).distinct().toList();
    }

    /** The names of the cluster (and kubeconfig) itself; fabric8 is loaded only when one is asked for. */
    private static Lookups cluster() {
        return new Lookups() {
            @Override
            public List<String> contexts(KubeSettings s) throws Exception {
                return io.k8scap.cluster.CompletionNames.contexts(s);
            }

            @Override
            public List<String> namespaces(KubeSettings s) {
                return io.k8scap.cluster.CompletionNames.namespaces(s);
            }

            @Override
            public List<String> pods(KubeSettings s) {
                return io.k8scap.cluster.CompletionNames.pods(s);
            }

            @Override
            public List<String> nodes(KubeSettings s) {
                return io.k8scap.cluster.CompletionNames.nodes(s);
            }
        };
    }
}
