package io.k8scap.blackbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * scripts/release.sh's archive and krew manifest, installed as kubectl users install a plugin. With
 * krew on this machine: {@code kubectl krew install --manifest=… --archive=…} into a private
 * KREW_ROOT. Without it (krew is not in Debian): the manifest is checked against the archive it
 * names — krew's own rules (apiVersion, kind, name = file name, "v" semver, sha256, selector, files,
 * bin) — and the file operations are applied as krew applies them; either way the plugin is then
 * run through kubectl's plugin lookup (or directly when kubectl is missing) and reports the jar's version.
 */
class ReleaseArchiveIT {
    private static final Path JAR = Path.of(System.getProperty("k8scap.jar", "target/k8scap.jar"));

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    static Run run(Map<String, String> env, List<String> cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("k8scap-out", ".txt");
        Path err = Files.createTempFile("k8scap-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", cmd).isTrue();
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static String jarVersion() throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            return jar.getManifest().getMainAttributes().getValue("Implementation-Version");
        }
    }

    private static boolean works(String... cmd) {
        try {
            return run(Map.of(), List.of(cmd)).exit() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theArchiveInstallsAsAKubectlPluginThatReportsTheJarsVersion() throws Exception {
        String version = jarVersion();
        Path out = dir.resolve("release");
        Run release = run(Map.of(), List.of(Path.of("scripts/release.sh").toAbsolutePath().toString(), "--skip-build", "--out", out.toString()));
        assertThat(release.exit()).as(release.err()).isZero();
        Path archive = out.resolve("k8scap-" + version + ".tar.gz");
        Path manifest = out.resolve("k8scap.yaml");
        assertThat(archive).isRegularFile();
        assertThat(release.err()).contains("kubectl krew install --manifest=" + manifest + " --archive=" + archive);

        Path binDir;
        Map<String, Object> m = new Yaml().load(Files.readString(manifest));
        Map<String, Object> spec = (Map<String, Object>) m.get("spec");
        assertThat(spec.get("version")).isEqualTo("v" + version);
        if (works("kubectl", "krew", "version")) {
            Path root = dir.resolve("krew");
            Run install = run(Map.of("KREW_ROOT", root.toString()),
                    List.of("kubectl", "krew", "install", "--manifest=" + manifest, "--archive=" + archive));
            assertThat(install.exit()).as(install.err()).isZero();
            binDir = root.resolve("bin");
        } else {
            // krew's validation (pkg/index/validation): what `krew install` would refuse.
            assertThat(m.get("apiVersion")).isEqualTo("krew.googlecontainertools.github.com/v1alpha2");
            assertThat(m.get("kind")).isEqualTo("Plugin");
            assertThat(((Map<String, Object>) m.get("metadata")).get("name")).as("plugin name = manifest file name").isEqualTo("k8scap");
            assertThat((String) spec.get("shortDescription")).isNotBlank();
            List<Map<String, Object>> platforms = (List<Map<String, Object>>) spec.get("platforms");
            assertThat(platforms).hasSize(1);
            Map<String, Object> platform = platforms.get(0);
            assertThat(platform.get("selector")).isEqualTo(Map.of("matchLabels", Map.of("os", "linux")));
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(archive)));
            assertThat(platform.get("sha256")).as("sha256 of the archive").isEqualTo(sha);
            assertThat((String) platform.get("uri")).endsWith("/k8scap-" + version + ".tar.gz");

            // krew's install: unpack, apply each file operation (a path that exists moves to INSTALL/to,
            // "." keeping its name), then link bin/kubectl-NAME to INSTALL/bin.
            Path unpacked = Files.createDirectories(dir.resolve("unpacked"));
            assertThat(run(Map.of(), List.of("tar", "-xzf", archive.toString(), "-C", unpacked.toString())).exit()).isZero();
            Path installDir = dir.resolve("store/k8scap/v" + version);
            for (Map<String, Object> op : (List<Map<String, Object>>) platform.get("files")) {
                Path from = unpacked.resolve((String) op.get("from")).normalize();
                assertThat(from).as("file operation %s names a path in the archive", op).exists().startsWithRaw(unpacked);
                String to = (String) op.get("to");
                Path target = (to.equals(".") ? installDir.resolve(from.getFileName()) : installDir.resolve(to)).normalize();
                assertThat(target).startsWithRaw(installDir);
                Files.createDirectories(target.getParent());
                Files.move(from, target);
            }
            Path bin = installDir.resolve((String) platform.get("bin")).normalize();
            assertThat(bin).as("bin").startsWithRaw(installDir).isExecutable();
            assertThat(installDir.resolve("README.md")).isRegularFile();
            assertThat(installDir.resolve("bin/kubectl_complete-k8scap")).as("kubectl's completion helper").isExecutable();
            binDir = Files.createDirectories(dir.resolve("bin"));
            Files.createSymbolicLink(binDir.resolve("kubectl-k8scap"), bin);
        }

        String path = binDir + ":" + System.getenv("PATH");
        List<String> versionCmd = works("kubectl", "version", "--client")
                ? List.of("kubectl", "k8scap", "version", "-o", "json")
                : List.of(binDir.resolve("kubectl-k8scap").toString(), "version", "-o", "json");
        Run plugin = run(Map.of("PATH", path, "JAVA_HOME", System.getProperty("java.home")), new ArrayList<>(versionCmd));
        assertThat(plugin.exit()).as(plugin.err()).isZero();
        assertThat(plugin.out()).contains("\"version\" : \"" + version + "\"");
    }
}
