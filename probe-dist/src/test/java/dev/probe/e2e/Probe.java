package dev.probe.e2e;

import dev.probe.runtime.ProbeRun;
import dev.probe.runtime.config.ConfigLoader;
import dev.probe.runtime.plugin.Plugins;
import dev.probe.runtime.cli.Main;
import dev.probe.broker.EmbeddedKafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Runs the probe the ways a user does, for end-to-end tests against a real broker. */
final class Probe {
    private Probe() {
    }

    /** A broker that accepts any record timestamp (captures from the past and from 2106). */
    static EmbeddedKafkaBroker broker() {
        return EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.defaults().withAutoCreateTopics(false)
                .withOverrides(Map.of("log.message.timestamp.after.max.ms", String.valueOf(Long.MAX_VALUE))));
    }

    /** Settings for a run into {@code topic} of {@code broker} with quiet, non-spinning workers. */
    static List<String> kafka(final EmbeddedKafkaBroker broker, final String topic) {
        return List.of("probe.sink.type=kafka", "probe.sink.kafka.topic=" + topic,
                "probe.sink.kafka.producer.bootstrap.servers=\"" + broker.bootstrapServers() + "\"",
                "probe.receive.idle-strategy=sleep", "probe.transmit.idle-strategy=sleep", "probe.stats.interval=0s");
    }

    /** Runs in-process with these {@code --set} overrides. */
    static ProbeRun.Result run(final List<String> overrides, final Path summary) throws InterruptedException {
        return new ProbeRun(ConfigLoader.load(null, overrides, Plugins.classpath()), Plugins.classpath(), summary,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).execute();
    }

    /** The outcome of a command line. */
    record Cli(int exit, String stdout, String stderr) {
        List<String> stderrLines() {
            return stderr.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    /** Runs {@code probe args...} as the launcher does, capturing its output. */
    static Cli cli(final String... args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exit = Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Cli(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The key of a record as the probe writes it: epoch microseconds, 8 bytes big-endian. */
    static long keyMicros(final ConsumerRecord<byte[], byte[]> record) {
        if (record.key() == null || record.key().length != 8) {
            throw new AssertionError("key is not 8 bytes: " + (record.key() == null ? "null" : record.key().length));
        }
        return ByteBuffer.wrap(record.key()).getLong();
    }

    /** The wire-length header, or -1 when absent. */
    static long wireLength(final ConsumerRecord<byte[], byte[]> record) {
        final Header header = record.headers().lastHeader("wire-length");
        return header == null ? -1 : ByteBuffer.wrap(header.value()).getInt() & 0xFFFFFFFFL;
    }

    /** Sorted "key/sha256(value)/wire" strings: equal lists mean the same multiset of packets. */
    static List<String> multiset(final List<ConsumerRecord<byte[], byte[]>> records) {
        final List<String> out = new ArrayList<>();
        for (final ConsumerRecord<byte[], byte[]> r : records) {
            out.add(keyMicros(r) + "/" + sha256(r.value()) + "/" + wireLength(r));
        }
        out.sort(null);
        return out;
    }

    static String sha256(final byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A number out of the summary JSON, such as {@code "captured"}. */
    static long json(final String json, final String field) {
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + field + "\": (-?\\d+)").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no " + field + " in " + json);
        }
        return Long.parseLong(m.group(1));
    }
}
