package io.k8scap.cli;

import io.k8scap.cluster.KubeConnection;
import io.k8scap.node.pod.HelperPodGc;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code k8scap gc}: lists helper pods a crashed k8scap left behind (past their deadline, or ended)
 * and deletes them; {@code --dry-run} only lists.
 */
@Command(name = "gc",
        sortOptions = false,
        header = "Delete helper pods that k8scap left behind (past their deadline).",
        description = {
            "Helper pods (label app.kubernetes.io/managed-by=k8scap, app.kubernetes.io/component=node-helper)",
            "are deleted when a command ends, and stop by themselves at their deadline. A crash can leave",
            "the Pod object behind: gc lists those past their deadline, or ended, and deletes them.",
            "Younger helper pods may belong to a running k8scap and are never touched."
        },
        footer = {"%nExamples:",
            "  k8scap gc --dry-run -A",
            "  k8scap gc -n k8scap-helpers"})
final class GcCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dry-run", description = "List what would be deleted; delete nothing.")
    boolean dryRun;

    @Option(names = {"-A", "--all-namespaces"}, description = "Look in every namespace.")
    boolean allNamespaces;

    @Mixin
    KubeOptions kube;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        validate();
        return run();
    }

    private int run() {
        Opening opening = Opening.of(spec, kube);
        Notices notices = opening.notices();
        Instant now = Instant.now();
        try (KubeConnection kc = opening.connect()) {
            HelperPodGc gc = new HelperPodGc(kc.client());
            String scope = allNamespaces ? null : kc.namespace();
            List<HelperPodGc.Found> stale = gc.find(scope, now).stream().filter(HelperPodGc.Found::stale).toList();
            String where = scope == null ? "any namespace" : "namespace " + scope;
            if (stale.isEmpty()) {
                notices.accept("no helper pods past their deadline in " + where);
                return 0;
            }
            List<GcRow> rows = stale.stream().map(f -> GcRow.of(f, now)).toList();
            Printer.of(output, spec.commandLine().getOut()).list(rows, COLUMNS);
            if (dryRun) {
                notices.accept("dry run: " + count(stale.size()) + " would be deleted; run without --dry-run to delete");
                return 0;
            }
            int deleted = 0;
            for (HelperPodGc.Found f : stale) {
                if (gc.delete(f.pod())) {
                    deleted++;
                }
            }
            notices.accept("deleted " + count(deleted) + (deleted < stale.size() ? " (" + (stale.size() - deleted) + " already gone)" : ""));
            return 0;
        }
    }

    private void validate() {
        Opening.checkNamespaceScope(spec, allNamespaces, kube);
    }

    private static String count(int n) {
        return n + " helper pod" + (n == 1 ? "" : "s");
    }

    /** One helper pod, as printed and serialized. */
    record GcRow(String namespace, String name, String node, String session, String phase, String created, String deadline, String age) {
        static GcRow of(HelperPodGc.Found f, Instant now) {
            var p = f.pod();
            return new GcRow(p.namespace(), p.name(), p.node(), p.session(), f.phase(),
                    p.created() == null ? null : p.created().toString(),
                    p.deadline() == null ? null : p.deadline().truncatedTo(ChronoUnit.SECONDS).toString(),
                    p.created() == null ? null : GcCommand.age(Duration.between(p.created(), now)));
        }
    }

    /** kubectl's AGE style: 45s, 12m, 5h, 3d. */
    static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 120) {
            return s + "s";
        }
        if (s < 2 * 3600) {
            return (s / 60) + "m";
        }
        if (s < 2 * 86400) {
            return (s / 3600) + "h";
        }
        return (s / 86400) + "d";
    }

    private static final List<Printer.Column<GcRow>> COLUMNS = List.of(
            Printer.Column.of("NAMESPACE", GcRow::namespace),
            Printer.Column.of("NAME", GcRow::name),
            Printer.Column.of("NODE", GcRow::node),
            Printer.Column.of("AGE", GcRow::age),
            Printer.Column.of("DEADLINE", GcRow::deadline),
            Printer.Column.wide("PHASE", GcRow::phase),
            Printer.Column.wide("SESSION", GcRow::session));
}
