package io.k8scap.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How to reach nodes, as the user asked (flags), before ~/.ssh/config is consulted.
 * Null means "not given": the ssh config, then OpenSSH's defaults, decide.
 *
 * @param sshUser        --ssh-user
 * @param sshPort        --ssh-port
 * @param identityFiles  -i/--ssh-key (repeatable)
 * @param sshConfig      --ssh-config (default ~/.ssh/config; a missing default file is fine)
 * @param knownHosts     --known-hosts (default ~/.ssh/known_hosts)
 * @param jump           --jump [user@]host[:port], a bastion
 * @param sudo           --sudo: run node commands with {@code sudo -n}
 * @param timeout        --ssh-timeout, connect and authentication
 * @param insecureSkipHostKeyCheck --insecure-skip-host-key-check
 */
public record NodeAccessSettings(
        String sshUser,
        Integer sshPort,
        List<Path> identityFiles,
        Path sshConfig,
        Path knownHosts,
        String jump,
        boolean sudo,
        Duration timeout,
        boolean insecureSkipHostKeyCheck) {

    public NodeAccessSettings {
        identityFiles = identityFiles == null ? List.of() : List.copyOf(identityFiles);
    }
}
