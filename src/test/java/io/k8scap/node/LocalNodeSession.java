package io.k8scap.node;

import io.k8scap.K8sCapException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link NodeSession} on THIS machine: the command line runs under {@code sh -c} via
 * {@link ProcessBuilder}, exactly as a node's login shell would run it over SSH. The node is real;
 * only the SSH hop is skipped.
 */
public final class LocalNodeSession implements NodeSession {
    private final NodeTarget target;
    private final boolean sudo;
    private final java.util.Map<String, String> env;
    /** Command lines run so far, to count round trips. */
    private final List<String> executed = new java.util.concurrent.CopyOnWriteArrayList<>();

    public LocalNodeSession() {
        this(new NodeTarget("local-node", "127.0.0.1"), false);
    }

    public LocalNodeSession(NodeTarget target, boolean sudo) {
        this(target, sudo, java.util.Map.of());
    }

    /** @param env added to the environment of {@code sh} (e.g. a PATH whose {@code sh} is busybox) */
    public LocalNodeSession(NodeTarget target, boolean sudo, java.util.Map<String, String> env) {
        this.target = target;
        this.sudo = sudo;
        this.env = java.util.Map.copyOf(env);
    }

    @Override
    public NodeTarget target() {
        return target;
    }

    @Override
    public boolean sudo() {
        return sudo;
    }

    public List<String> executed() {
        return List.copyOf(executed);
    }

    @Override
    public int exec(String commandLine, InputStream stdin, OutputStream stdout, OutputStream stderr) {
        executed.add(commandLine);
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder("sh", "-c", commandLine);
            pb.environment().putAll(env);
            p = pb.start();
        } catch (IOException e) {
            throw K8sCapException.unavailable("cannot start sh on " + target.name() + ": " + e.getMessage());
        }
        CompletableFuture<Void> out = pump(p.getInputStream(), stdout);
        CompletableFuture<Void> err = pump(p.getErrorStream(), stderr);
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                stdin.transferTo(in);
            }
        } catch (IOException e) {
            // the command ended without reading all of stdin: fine, like ssh
        }
        try {
            int status = p.waitFor();
            out.join();
            err.join();
            return status;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw K8sCapException.unavailable("interrupted while running a command on " + target.name());
        }
    }

    private static CompletableFuture<Void> pump(InputStream from, OutputStream to) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (from) {
                if (to == null) {
                    from.transferTo(OutputStream.nullOutputStream());
                } else {
                    from.transferTo(to);
                }
                done.complete(null);
            } catch (IOException e) {
                done.completeExceptionally(new UncheckedIOException(e));
            }
        }, "local-node-pump");
        t.setDaemon(true);
        t.start();
        return done;
    }

    @Override
    public void close() {}
}
