package dev.probe.e2e;

import dev.probe.broker.CapturedLogs;
import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.broker.KafkaTestSupport;
import dev.probe.runtime.ProbeRun;
import dev.probe.runtime.config.ConfigLoader;
import dev.probe.runtime.plugin.Plugins;
import dev.probe.runtime.stats.Snapshot;
import dev.probe.sink.kafka.PacketRecordFormat;
import dev.probe.spi.CaptureSource;
import dev.probe.spi.CaptureSourceProvider;
import dev.probe.testkit.CaptureFile;
import dev.probe.testkit.SharedCaptures;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replays of real captures into topics whose settings would refuse or delete their records, on a broker
 * with Kafka's defaults: frames above {@code max.message.bytes} are counted as sink-record-too-large at
 * once, without the client's retry loop or a flood of its warnings; a capture older than the topic's
 * retention is not delivered only to be deleted, and is delivered and kept with
 * {@code record-timestamp = send}; a capture dated 2106 gets a reason that says so.
 */
class TopicLimitsRunTest {
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        SharedCaptures.require();
        broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.defaults().withAutoCreateTopics(false));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static List<String> replay(final SharedCaptures.Entry entry, final String topic, final String... more) {
        final List<String> settings = new ArrayList<>(List.of("probe.source.type=pcap",
                "probe.source.pcap.file=\"" + entry.path() + "\"", "probe.sink.type=kafka", "probe.sink.kafka.topic=" + topic,
                "probe.sink.kafka.producer.bootstrap.servers=\"" + broker.bootstrapServers() + "\"",
                "probe.receive.idle-strategy=sleep", "probe.transmit.idle-strategy=sleep", "probe.stats.interval=0s"));
        settings.addAll(List.of(more));
        return settings;
    }

    /** Whether the pcap source tells the capture's first time stamp before capture starts (the guards then refuse at start-up). */
    private static boolean sourceKnowsFirstTimestamp(final List<String> settings) {
        final var config = ConfigLoader.load(null, settings, Plugins.classpath());
        for (final CaptureSourceProvider provider : ServiceLoader.load(CaptureSourceProvider.class)) {
            if (provider.name().equals("pcap")) {
                try (CaptureSource source = provider.open(config)) {
                    return source.firstTimestampNanos().isPresent();
                }
            }
        }
        throw new AssertionError("no pcap source");
    }

    private static Map<String, Long> dropped(final Snapshot s) {
        final Map<String, Long> dropped = s.dropped();
        dropped.values().removeIf(v -> v == 0);
        return dropped;
    }

    @Test
    void framesAboveTheTopicsMaxMessageBytesAreCountedAsTooLargeAtOnceWithoutClientWarnings() throws Exception {
        final SharedCaptures.Entry entry = SharedCaptures.entry("afs.pcap");
        broker.createTopic("small-messages", 1, Map.of("max.message.bytes", "1000"));
        long tooLarge = 0;
        for (final CaptureFile.Record r : CaptureFile.read(entry.path())) {
            if (PacketRecordFormat.recordUpperBound(r.capturedLength(), r.truncated(), false) > 1000) {
                tooLarge++;
            }
        }
        assertTrue(tooLarge > 0 && tooLarge < entry.packets(), "the capture has frames on both sides of the limit");
        final long start = System.nanoTime();
        final ProbeRun.Result result;
        final List<String> kafkaLines;
        final List<String> probeLines;
        try (CapturedLogs logs = new CapturedLogs()) {
            result = Probe.run(replay(entry, "small-messages"), null);
            kafkaLines = logs.lines("org.apache.kafka");
            probeLines = logs.lines("dev.probe");
        }
        final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        final Snapshot s = result.snapshot();
        System.out.printf("max.message.bytes 1000: captured %d, delivered %d, dropped %s in %d ms; client log lines %d,"
                + " probe log lines %d%n", s.captured(), s.delivered(), dropped(s), millis, kafkaLines.size(), probeLines.size());

        assertEquals(ProbeRun.Outcome.END_OF_INPUT, result.outcome(), String.valueOf(result.error()));
        assertEquals(ProbeRun.EXIT_INCOMPLETE, result.exitCode(), "a replay with drops");
        assertEquals(entry.packets(), s.captured());
        assertEquals(Map.of("sink-record-too-large", tooLarge), dropped(s));
        assertEquals(entry.packets() - tooLarge, s.delivered());
        assertTrue(s.dropMessages().get("sink-record-too-large").endsWith("above the 1000 bytes topic small-messages"
                + " takes (its max.message.bytes)"), s.dropMessages().toString());
        assertEquals(List.of(), kafkaLines, "no warnings of the client's retry loop");
        assertEquals(1, probeLines.size(), "one line: batch.size capped at the topic's limit: " + probeLines);
        assertEquals(s.delivered(), KafkaTestSupport.recordCount(broker.bootstrapServers(), "small-messages"));
    }

    @Test
    void anOldCaptureIsNotDeliveredToBeDeletedAndIsKeptWithSendTimestamps() throws Exception {
        final SharedCaptures.Entry entry = SharedCaptures.entry("afs.pcap");   // captured in 1999
        broker.createTopic("retained", 1, Map.of("retention.ms", "604800000"));
        final List<String> capture = replay(entry, "retained");
        final ProbeRun.Result refused = Probe.run(capture, null);
        final Snapshot r = refused.snapshot();
        System.out.printf("old capture, record-timestamp = capture: outcome %s, exit %d, captured %d, delivered %d,"
                + " dropped %s, error: %s%n", refused.outcome().label(), refused.exitCode(), r.captured(), r.delivered(),
                dropped(r), refused.error());
        if (sourceKnowsFirstTimestamp(capture)) {
            // The guard refuses before capture starts, naming what to change.
            assertEquals(ProbeRun.Outcome.STARTUP_FAILED, refused.outcome());
            assertEquals(ProbeRun.EXIT_USER_ERROR, refused.exitCode());
            assertTrue(refused.error().contains("retention.ms = 604800000") && refused.error().contains(
                    "set probe.sink.kafka.record-timestamp = send"), refused.error());
        } else {
            // The source could not tell its first time stamp up front: each packet is counted instead.
            assertEquals(ProbeRun.EXIT_INCOMPLETE, refused.exitCode());
            assertEquals(Map.of("sink-invalid-timestamp", (long) entry.packets()), dropped(r));
            final String message = r.dropMessages().get("sink-invalid-timestamp");
            assertTrue(message.startsWith("capture time 1999-11-11T21:46:16.463Z is more than 7d ago, so topic retained"
                    + " would delete the record at once (retention.ms 604800000); probe.sink.kafka.record-timestamp = send"),
                    message);
        }
        assertEquals(0, KafkaTestSupport.recordCount(broker.bootstrapServers(), "retained"), "nothing delivered to vanish");

        final long before = System.currentTimeMillis();
        final List<String> send = new ArrayList<>(capture);
        send.add("probe.sink.kafka.record-timestamp=send");
        final ProbeRun.Result kept = Probe.run(send, null);
        final long after = System.currentTimeMillis();
        assertEquals(ProbeRun.Outcome.END_OF_INPUT, kept.outcome(), String.valueOf(kept.error()));
        assertEquals(0, kept.exitCode());
        assertEquals(entry.packets(), kept.snapshot().delivered());
        final List<ConsumerRecord<byte[], byte[]>> records = KafkaTestSupport.consume(broker.bootstrapServers(), "retained",
                entry.packets());
        assertEquals(entry.packets(), records.size());
        final List<String> expected = new ArrayList<>();
        for (final CaptureFile.Record f : CaptureFile.read(entry.path())) {
            expected.add(f.timestampMicros() + "/" + Probe.sha256(f.data()) + "/" + (f.truncated() ? f.wireLength() : -1));
        }
        expected.sort(null);
        assertEquals(expected, Probe.multiset(records), "keys keep the capture time, values the frames");
        for (final ConsumerRecord<byte[], byte[]> rec : records) {
            assertEquals(TimestampType.CREATE_TIME, rec.timestampType());
            assertTrue(rec.timestamp() >= before && rec.timestamp() <= after, "stamped when sent, so kept: " + rec.timestamp());
        }
    }

    @Test
    void aCaptureDatedInTheFarFutureGetsAReasonThatSaysSo() throws Exception {
        final SharedCaptures.Entry entry = SharedCaptures.entry("time_2106_overflow.pcapng");
        broker.createTopic("future", 1);
        final List<String> settings = replay(entry, "future");
        final ProbeRun.Result result = Probe.run(settings, null);
        final Snapshot s = result.snapshot();
        System.out.printf("capture dated 2106: outcome %s, exit %d, dropped %s, error: %s, messages %s%n",
                result.outcome().label(), result.exitCode(), dropped(s), result.error(), s.dropMessages());
        if (sourceKnowsFirstTimestamp(settings)) {
            assertEquals(ProbeRun.EXIT_USER_ERROR, result.exitCode());
            assertTrue(result.error().contains("message.timestamp.after.max.ms = 3600000")
                    && result.error().contains("the capture starts at 2106-"), result.error());
        } else {
            assertEquals(Map.of("sink-invalid-timestamp", 1L), dropped(s));
            final String message = s.dropMessages().get("sink-invalid-timestamp");
            assertTrue(message.startsWith("capture time 2106-") && message.contains("is more than 1h ahead, which topic"
                    + " future refuses (message.timestamp.after.max.ms 3600000)"), message);
        }
        assertEquals(0, KafkaTestSupport.recordCount(broker.bootstrapServers(), "future"));
    }
}
