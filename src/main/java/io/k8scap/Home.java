package io.k8scap;

import java.nio.file.Path;

/**
 * The user's home directory, for every default path (~/.kube/config, ~/.ssh/config, keys,
 * known_hosts): {@code $HOME} when it is set and not empty, as kubectl (client-go) and every Go
 * tool read it; the JVM's {@code user.home} (the passwd entry) only when it is not.
 */
public final class Home {
    private Home() {}

    /** The home directory of this run. */
    public static Path dir() {
        return dir(System.getenv("HOME"), System.getProperty("user.home"));
    }

    /** As {@link #dir()}, with the environment's {@code HOME} and the JVM's {@code user.home} passed in. */
    public static Path dir(String homeEnv, String userHome) {
        return Path.of(homeEnv != null && !homeEnv.isEmpty() ? homeEnv : userHome);
    }
}
