package io.k8scap.debug;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.EphemeralContainerBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;

/**
 * The ephemeral debug container k8scap adds to a pod.
 *
 * @param name        {@code k8scap-debug-XXXXX}
 * @param image       the tools image
 * @param target      the container whose PID namespace it shares (targetContainerName)
 * @param profile     capabilities, as kubectl's profiles
 * @param env         extra environment, in order
 * @param interactive stdin and a TTY, for an attached shell; otherwise the container idles
 *                    ({@link #IDLE_COMMAND}) so that commands can be exec'd into it
 */
public record EphemeralSpec(String name, String image, String target, Profile profile, Map<String, String> env, boolean interactive) {
    public static final String DEFAULT_IMAGE = "nicolaka/netshoot:v0.13";
    public static final String NAME_PREFIX = "k8scap-debug-";
    /** What a non-interactive debug container runs: it idles for an hour, then exits by itself. */
    public static final List<String> IDLE_COMMAND = List.of("sleep", "3600");

    // kubectl's utilrand alphabet: no vowels (no words), no 0/1/3 (no look-alikes)
    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    public EphemeralSpec {
        env = Map.copyOf(env);
    }

    public static String randomName() {
        StringBuilder b = new StringBuilder(NAME_PREFIX);
        for (int i = 0; i < 5; i++) {
            b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }

    public EphemeralContainer build() {
        EphemeralContainerBuilder b = new EphemeralContainerBuilder()
                .withName(name)
                .withImage(image)
                .withTargetContainerName(target)
                .withImagePullPolicy("IfNotPresent")
                .withTerminationMessagePolicy("File")
                .withSecurityContext(securityContext(profile));
        env.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> b.addToEnv(new EnvVar(e.getKey(), e.getValue(), null)));
        if (interactive) {
            b.withStdin(true).withTty(true);
        } else {
            b.withCommand(IDLE_COMMAND);
        }
        return b.build();
    }

    static SecurityContext securityContext(Profile profile) {
        return switch (profile) {
            case general -> new SecurityContextBuilder().withNewCapabilities().withAdd("SYS_PTRACE").endCapabilities().build();
            case netadmin -> new SecurityContextBuilder().withNewCapabilities().withAdd("NET_ADMIN", "NET_RAW").endCapabilities().build();
            case sysadmin -> new SecurityContextBuilder().withPrivileged(true).build();
        };
    }
}
