package dev.probe.dist;

import dev.probe.broker.EmbeddedKafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The release this build made, and what the tests of it share: unpacking, running commands, brokers. */
final class Release {
    private Release() {
    }

    /** target/probe-VERSION.tar.gz (set by the failsafe configuration in pom.xml). */
    static Path tarball() {
        return Path.of(property("probe.release.tarball"));
    }

    /** The same release unpacked by the build: target/probe-VERSION-bin/probe-VERSION. */
    static Path directory() {
        return Path.of(property("probe.release.directory"));
    }

    /** The probe's version, such as 0.1.0-SNAPSHOT. */
    static String version() {
        return property("probe.release.version");
    }

    /** The Java running the tests: a Java 25, as the release needs. */
    static Path javaHome() {
        return Path.of(System.getProperty("java.home"));
    }

    private static String property(final String name) {
        final String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            fail("system property " + name + " is not set: run through Maven (failsafe), which sets it");
        }
        return value;
    }

    /** Unpacks the tarball with tar into {@code folder}; returns the installation (folder/probe-VERSION). */
    static Path unpack(final Path folder) throws Exception {
        final Outcome tar = run(folder, Map.of("PATH", "/usr/bin:/bin"), List.of("tar", "xzf", tarball().toString()));
        if (tar.exit() != 0) {
            fail("tar failed: " + tar);
        }
        final Path home = folder.resolve("probe-" + version());
        assertTrue(Files.isDirectory(home), "the tarball unpacks into probe-" + version());
        return home;
    }

    /** What a command did. */
    record Outcome(int exit, String stdout, String stderr) {
        List<String> stderrLines() {
            return stderr.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    /**
     * Runs {@code command} in {@code cwd} with exactly {@code environment} (nothing inherited), for at
     * most two minutes.
     */
    static Outcome run(final Path cwd, final Map<String, String> environment, final List<String> command)
            throws IOException, InterruptedException {
        final Path out = Files.createTempFile("probe-release-", ".out");
        final Path err = Files.createTempFile("probe-release-", ".err");
        try {
            final ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().clear();
            builder.environment().putAll(environment);
            final Process process = builder.start();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                fail(command + " did not end within 2 minutes; stderr so far: " + Files.readString(err));
            }
            return new Outcome(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** A broker that accepts any record timestamp, for captures of any date. */
    static EmbeddedKafkaBroker broker() {
        return EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.defaults().withAutoCreateTopics(false)
                .withOverrides(Map.of("log.message.timestamp.after.max.ms", String.valueOf(Long.MAX_VALUE))));
    }

    /** Creates {@code topic} with {@code partitions} partitions that keep records of any age. */
    static void createTopic(final EmbeddedKafkaBroker broker, final String topic, final int partitions) throws Exception {
        final Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(Map.of("retention.ms", "-1"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        broker.createTopic(topic, partitions); // exists already: waits for every partition's leader
    }

    /** Records in {@code topic}: the sum of its partitions' end offsets. */
    static long records(final EmbeddedKafkaBroker broker, final String topic) {
        final Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            final List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            return consumer.endOffsets(partitions, Duration.ofSeconds(30)).values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
