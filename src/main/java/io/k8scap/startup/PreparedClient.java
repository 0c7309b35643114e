package io.k8scap.startup;

import io.k8scap.cluster.KubeClients;
import io.k8scap.cluster.KubeConnection;
import io.k8scap.cluster.KubeSettings;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The run's API connection, started before picocli parses: {@link #forArguments} guesses the kube
 * options from the raw arguments ({@link ArgumentGuess}) and reads the kubeconfig, builds the
 * client and starts the warm-ups ({@link Warmups}: ≈ 0.3 s of CPU in a fresh JVM) on a background
 * thread, so that it overlaps picocli's start-up. Nothing is sent to the API server.
 *
 * <p>One object per run, handed from {@code Cli.run} to the commands explicitly. {@link #connect}
 * takes the prepared connection when its settings are the guessed ones, errors included, and
 * otherwise closes it and builds another: a wrong guess costs time, never changes an outcome. It is
 * taken at most once.
 */
public final class PreparedClient {
    /** A connection built ahead of time for these settings. */
    private record Prepared(KubeSettings settings, String kubeconfigEnv, Path home, CompletableFuture<KubeConnection> connection) {}

    private final AtomicReference<Prepared> prepared;
    private final KubeClients.Warmup warmup = new Warmups();

    private PreparedClient(Prepared p) {
        this.prepared = new AtomicReference<>(p);
    }

    /** Nothing prepared: every {@link #connect} builds its connection then (still with the warm-ups). */
    public static PreparedClient none() {
        return new PreparedClient(null);
    }

    /** Prepared for the command {@code args} run when it talks to the API server ({@link ArgumentGuess}); else {@link #none}. */
    public static PreparedClient forArguments(String[] args) {
        KubeSettings guess = ArgumentGuess.clusterCommand(args) == null ? null : ArgumentGuess.kubeSettings(args);
        return guess == null ? none() : start(guess);
    }

    /** Starts building the connection for {@code guess} on a background thread. */
    public static PreparedClient start(KubeSettings guess) {
        return start(guess, System.getenv("KUBECONFIG"), io.k8scap.Home.dir());
    }

    /** As {@link #start(KubeSettings)}, with $KUBECONFIG and the home directory passed in (tests). */
    static PreparedClient start(KubeSettings guess, String kubeconfigEnv, Path home) {
        CompletableFuture<KubeConnection> f = new CompletableFuture<>();
        PreparedClient p = new PreparedClient(new Prepared(guess, kubeconfigEnv, home, f));
        Thread t = new Thread(() -> {
            try {
                f.complete(KubeClients.connect(guess, kubeconfigEnv, home, p.warmup));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "k8scap-kube-prepare");
        t.setDaemon(true);
        t.start();
        return p;
    }

    /** The connection being prepared (tests wait for it); null when none is, or it was taken. */
    CompletableFuture<KubeConnection> preparing() {
        Prepared p = prepared.get();
        return p == null ? null : p.connection();
    }

    /**
     * The connection for {@code settings} as kubectl finds it (--kubeconfig, else $KUBECONFIG, else
     * ~/.kube/config; --context; -n): the prepared one when it was prepared for exactly these,
     * else a new one. Throws CONFIG (3) with one line naming the file or context.
     */
    public KubeConnection connect(KubeSettings settings) {
        return connect(settings, System.getenv("KUBECONFIG"), io.k8scap.Home.dir());
    }

    /** As {@link #connect(KubeSettings)}, with $KUBECONFIG and the home directory passed in (tests). */
    KubeConnection connect(KubeSettings settings, String kubeconfigEnv, Path home) {
        Prepared p = prepared.getAndSet(null);
        if (p != null) {
            if (p.settings().equals(settings) && Objects.equals(p.kubeconfigEnv(), kubeconfigEnv) && p.home().equals(home)) {
                try {
                    return p.connection().join();
                } catch (CompletionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r; // the same K8sCapException the line below would throw
                    }
                    throw e;
                }
            }
            p.connection().thenAccept(KubeConnection::close); // guessed wrong: discarded, never used
        }
        return KubeClients.connect(settings, kubeconfigEnv, home, warmup);
    }

    /** Closes a prepared connection that no command took (a usage error, a command that never connected). */
    public void discard() {
        Prepared p = prepared.getAndSet(null);
        if (p != null) {
            p.connection().thenAccept(KubeConnection::close);
        }
    }
}
