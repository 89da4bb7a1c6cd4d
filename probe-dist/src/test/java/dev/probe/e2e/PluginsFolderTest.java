package dev.probe.e2e;

import dev.probe.testkit.CaptureFile;
import dev.probe.testkit.SharedCaptures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A sink from outside the tree, the way a team ships one: installs probe-api and probe-testkit into a
 * local repository, builds {@code examples/sink-example} as its own Maven project with its own wrapper
 * (running its contract test), drops its jar in a plugins folder, and runs the checkout's
 * {@code bin/probe check} and {@code bin/probe run --plugins DIR --set probe.sink.type=example -r <capture>}
 * (bin/probe builds what it needs); then checks every line the example sink wrote against the capture,
 * byte for byte, and the summary's counts.
 *
 * <p>Nothing installed before the test counts: this build's dev.probe jars go to a local repository of the
 * test's own under {@code target/}, chained ({@code maven.repo.local.tail}, read-only) to the local
 * repository of the build running the test for the third-party artifacts and Maven plugins, which that
 * build has already resolved; the example builds offline. Every step is bounded by a timeout; the whole
 * test takes about half a minute.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PluginsFolderTest {
    private static final String CAPTURE = "of13_ericsson.pcapng";
    private static final Pattern LINE = Pattern.compile(
            "\\{\"time_ns\":(-?\\d+),\"wire_length\":(\\d+),\"captured_length\":(\\d+),\"frame\":\"([0-9a-f]*)\"}");

    @Test
    void theExampleSinkBuiltOutsideTheTreeRunsFromThePluginsFolderThroughBinProbe() throws Exception {
        final SharedCaptures.Entry capture = SharedCaptures.entry(CAPTURE);
        final Path root = checkout();
        final Path work = fresh(Path.of("target", "plugins-folder-test").toAbsolutePath());
        final Path ownRepository = work.resolve("m2");
        final Path buildRepository = buildRepository();
        System.out.println("PluginsFolderTest: dev.probe artifacts into " + ownRepository + ", the rest read from " + buildRepository);

        // 1. The SPI and the test kit (with what they need of the probe: its parent pom and runtime), installed
        //    from this build's jars as ./mvnw install -pl probe-api,probe-testkit -am lays them out.
        install(root, ownRepository, "probe-api", "probe-runtime", "probe-testkit");

        // 2. The example, copied out of the tree as a team would start from it, built with its own wrapper.
        final Path example = copy(root.resolve("examples/sink-example"), work.resolve("sink-example"));
        run(example, work.resolve("example.log"), Duration.ofMinutes(4), List.of(example.resolve("mvnw").toString(), "-B", "-q", "-o",
                "package", "-Dmaven.repo.local=" + ownRepository, "-Dmaven.repo.local.tail=" + buildRepository), Map.of());
        final String report = Files.readString(example.resolve(
                "target/surefire-reports/com.example.probe.ExampleSinkContractTest.txt"));
        assertTrue(report.contains("Tests run: 11, Failures: 0, Errors: 0, Skipped: 0"), "the example's contract test:\n" + report);
        final Path jar = example.resolve("target/probe-sink-example-1.0.0.jar");

        // 3. Its jar in a plugins folder, and bin/probe.
        final Path plugins = Files.createDirectories(work.resolve("plugins"));
        final Path plugin = Files.copy(jar, plugins.resolve(jar.getFileName()));
        final Path output = work.resolve("example-output");
        final Path summary = work.resolve("summary.json");
        final Map<String, String> launcher = Map.of("MAVEN_ARGS", "-Dmaven.repo.local=" + buildRepository);
        final String check = run(root, work.resolve("check.log"), Duration.ofMinutes(5), List.of(root.resolve("bin/probe").toString(),
                "check", "--plugins", plugins.toString(), "--set", "probe.sink.type=example",
                "--set", "probe.source.pcap.file=\"" + capture.path() + "\""), launcher);
        assertTrue(check.lines().anyMatch(("# sink example: " + plugin)::equals), "probe check names the plugin's jar:\n" + check);

        run(root, work.resolve("run.log"), Duration.ofMinutes(5), List.of(root.resolve("bin/probe").toString(), "run",
                "--plugins", plugins.toString(), "--set", "probe.sink.type=example",
                "--set", "probe.sink.example.directory=\"" + output + "\"",
                "-r", capture.path().toString(), "--summary", summary.toString()), launcher);

        // 4. What the sink wrote is the capture: every packet once, its time, wire length and bytes.
        final List<CaptureFile.Record> expected = CaptureFile.read(capture.path());
        final List<String> written = new ArrayList<>();
        try (Stream<Path> files = Files.list(output)) {
            for (final Path file : files.sorted().toList()) {
                assertEquals("tx-0-0.jsonl", file.getFileName().toString(), "one file per transmit worker");
                for (final String line : Files.readAllLines(file)) {
                    final Matcher m = LINE.matcher(line);
                    assertTrue(m.matches(), "a line the example sink writes: " + line);
                    final byte[] frame = HexFormat.of().parseHex(m.group(4));
                    assertEquals(Integer.parseInt(m.group(3)), frame.length, "captured_length");
                    written.add(Long.parseLong(m.group(1)) + " " + m.group(2) + " " + Probe.sha256(frame));
                }
            }
        }
        final List<String> captured = new ArrayList<>();
        expected.forEach(r -> captured.add(r.timestampNanos() + " " + r.wireLength() + " " + Probe.sha256(r.data())));
        assertEquals(capture.packets(), expected.size());
        assertEquals(captured, written, "the lines, in capture order, against the capture's records");
        final String json = Files.readString(summary);
        assertEquals(capture.packets(), Probe.json(json, "captured"));
        assertEquals(capture.packets(), Probe.json(json, "delivered"));
        assertEquals(capture.bytes(), Probe.json(json, "bytes_delivered"));
        assertEquals(0, Probe.json(json, "in_flight"));
        assertEquals(0, Probe.json(json, "dropped_total"));
    }

    /**
     * Installs the jars this build made of {@code modules}, with their poms, and the parent pom, into
     * {@code repository} in the layout {@code mvn install} writes ({@code group/artifact/version/artifact-version.jar}).
     * Done without Maven so that no plugin is needed that the build running the test has not resolved
     * ({@code verify} never runs maven-install-plugin).
     */
    private static void install(final Path root, final Path repository, final String... modules) throws IOException {
        String projectVersion = null;
        for (final String module : modules) {
            final Path jar;
            try (Stream<Path> jars = Files.list(root.resolve(module).resolve("target"))) {
                jar = jars.filter(p -> p.getFileName().toString().matches(Pattern.quote(module) + "-\\d[^-]*(-SNAPSHOT)?\\.jar"))
                        .findFirst().orElseThrow(() -> new AssertionError(module + "/target holds no jar: run the build to"
                                + " the package phase at least (./mvnw verify)"));
            } catch (java.nio.file.NoSuchFileException e) {
                throw new AssertionError(module + " is not built: run the build to the package phase at least (./mvnw verify)", e);
            }
            final String name = jar.getFileName().toString();
            final String version = name.substring(module.length() + 1, name.length() - ".jar".length());
            if (!module.equals("probe-api")) {
                projectVersion = version;
            }
            final Path folder = Files.createDirectories(repository.resolve("dev/probe").resolve(module).resolve(version));
            Files.copy(jar, folder.resolve(module + "-" + version + ".jar"));
            Files.copy(root.resolve(module).resolve("pom.xml"), folder.resolve(module + "-" + version + ".pom"));
        }
        final Path parent = Files.createDirectories(repository.resolve("dev/probe/probe-parent").resolve(projectVersion));
        Files.copy(root.resolve("pom.xml"), parent.resolve("probe-parent-" + projectVersion + ".pom"));
    }

    /** The checkout: the folder above this module, with bin/probe and mvnw. */
    private static Path checkout() {
        final Path root = Path.of("").toAbsolutePath().getParent();
        for (final String needed : List.of("bin/probe", "mvnw", "examples/sink-example/pom.xml", "probe-api/pom.xml")) {
            if (!Files.isRegularFile(root.resolve(needed))) {
                fail("not run from probe-dist in a checkout: no " + root.resolve(needed));
            }
        }
        return root;
    }

    /**
     * The local repository of the build running this test (where it resolved Maven's plugins and every
     * third-party artifact): {@code maven.repo.local} when given to that build, else the one the pom passes
     * on as {@code probe.maven.repo}, else {@code ~/.m2/repository}.
     */
    private static Path buildRepository() {
        for (final String property : List.of("maven.repo.local", "probe.maven.repo")) {
            final String value = System.getProperty(property);
            if (value != null && !value.isBlank() && !value.contains("${")) {
                return Path.of(value).toAbsolutePath();
            }
        }
        return Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /**
     * Runs {@code command} in {@code folder} with JDK 25 (this JVM's) and {@code environment} added, output to
     * {@code log}; fails with the end of the log when it exits non-zero or outlasts {@code limit}.
     *
     * @return what it wrote to standard output and error
     */
    private static String run(final Path folder, final Path log, final Duration limit, final List<String> command,
                              final Map<String, String> environment) throws Exception {
        final ProcessBuilder builder = new ProcessBuilder(command).directory(folder.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        final Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("MAVEN_"));
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("MAVEN_OPTS", "--sun-misc-unsafe-memory-access=allow");
        env.putAll(environment);
        final long start = System.nanoTime();
        final Process process = builder.start();
        final boolean finished = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        System.out.printf("PluginsFolderTest: %s took %.1f s%n", log.getFileName(), (System.nanoTime() - start) / 1e9);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish within " + limit.toMinutes() + " min:\n" + tail(log));
        }
        if (process.exitValue() != 0) {
            fail(String.join(" ", command) + " exited with " + process.exitValue() + ":\n" + tail(log));
        }
        return Files.readString(log);
    }

    private static String tail(final Path log) throws IOException {
        final List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    /** {@code folder}, emptied. */
    private static Path fresh(final Path folder) throws IOException {
        if (Files.exists(folder)) {
            Files.walkFileTree(folder, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(final Path dir, final IOException exc) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        return Files.createDirectories(folder);
    }

    /** Copies the project at {@code from} to {@code to}, leaving out its build output; keeps mvnw executable. */
    private static Path copy(final Path from, final Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            files.filter(p -> !from.relativize(p).startsWith("target")).forEach(p -> {
                try {
                    final Path target = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return to;
    }
}
