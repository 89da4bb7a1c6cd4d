package dev.probe.sink.kafka;

import dev.probe.api.ProbeException;
import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.broker.KafkaTestSupport;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkProvider;
import dev.probe.testkit.TestBatch;
import dev.probe.testkit.TestContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Settings validation and the errors a sink gives at creation when the cluster or topic is missing. */
class KafkaSinkStartupTest {
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.defaults().withAutoCreateTopics(false));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static SinkFactory configure(final Map<String, Object> overrides) {
        return new KafkaSinkProvider().configure(KafkaTestSupport.config(overrides));
    }

    @Test
    void providerIsFoundByNameThroughServiceLoader() {
        assertTrue(ServiceLoader.load(SinkProvider.class).stream()
                .anyMatch(p -> p.get().name().equals("kafka") && p.get() instanceof KafkaSinkProvider));
    }

    @Test
    void referenceDefaultsAreReadIntoSettings() {
        final KafkaSinkSettings s = KafkaSinkSettings.from(KafkaTestSupport.config(Map.of()));
        assertEquals("pcap", s.topic());
        assertEquals(32_768, s.maxInFlight());
        assertEquals(Duration.ofMillis(5), s.maxBlock());
        assertEquals(Duration.ofSeconds(30), s.startupTimeout());
        assertEquals(2L * 1024 * 1024, s.bufferHeadroom());
        assertEquals("127.0.0.1:9092", s.bootstrapServers());
        assertEquals(DeliveryMode.FAST, s.delivery());
        assertEquals(RecordTimestamp.CAPTURE, s.recordTimestamp());
        assertEquals(Duration.ofSeconds(5), s.clientLogInterval());
        assertEquals(Duration.ofMinutes(2), s.deliveryTimeout());
        assertNull(s.producer().get("acks"), "acks comes from the delivery mode");
        assertEquals("262144", s.producer().get("batch.size"));
        final var props = s.producerProperties("tx-0-1", Integer.MAX_VALUE);
        assertEquals("probe-tx-0-1", props.get("client.id"));
        assertEquals("2", props.get("max.block.ms"), "half of max-block, so that one send blocks at most max-block");
        assertEquals("1", props.get("acks"));
        assertEquals("false", props.get("enable.idempotence"));
        assertEquals("262144", props.get("batch.size"));
        assertEquals("rebootstrap", props.get("metadata.recovery.strategy"));
        assertEquals("1500", s.producerProperties("tx-0-1", 1500).get("batch.size"), "capped at the topic's limit");
    }

    @Test
    void durableDeliveryMeansAcksAllWithIdempotence() {
        final KafkaSinkSettings s = KafkaSinkSettings.from(KafkaTestSupport.config(Map.of(
                "probe.sink.kafka.delivery", "durable")));
        final var props = s.producerProperties("tx-0-0", Integer.MAX_VALUE);
        assertEquals("all", props.get("acks"));
        assertEquals("true", props.get("enable.idempotence"));
        // Agreeing explicit settings are fine.
        KafkaSinkSettings.from(KafkaTestSupport.config(Map.of("probe.sink.kafka.delivery", "durable",
                "probe.sink.kafka.producer.acks", "-1", "probe.sink.kafka.producer.max.in.flight.requests.per.connection", 5)));
    }

    @Test
    void producerSettingsThatContradictTheDeliveryModeAreRejectedNamingBoth() {
        final ProbeException acks = assertThrows(ProbeException.class, () -> configure(Map.of(
                "probe.sink.kafka.delivery", "durable", "probe.sink.kafka.producer.acks", "1")));
        assertEquals("Invalid value \"1\" for probe.sink.kafka.producer.acks: expected all (or -1), or no value"
                + " when probe.sink.kafka.delivery = durable (test overrides)", acks.getMessage());
        final ProbeException inFlight = assertThrows(ProbeException.class, () -> configure(Map.of(
                "probe.sink.kafka.delivery", "durable",
                "probe.sink.kafka.producer.max.in.flight.requests.per.connection", 6)));
        assertTrue(inFlight.getMessage().contains("probe.sink.kafka.producer.max.in.flight.requests.per.connection"),
                inFlight.getMessage());
        assertTrue(inFlight.getMessage().contains("probe.sink.kafka.delivery = durable"), inFlight.getMessage());
        final ProbeException idempotent = assertThrows(ProbeException.class, () -> configure(Map.of(
                "probe.sink.kafka.producer.enable.idempotence", true)));
        assertTrue(idempotent.getMessage().startsWith("Invalid value true for probe.sink.kafka.producer.enable.idempotence:"
                + " expected false, or no value when probe.sink.kafka.delivery = fast"), idempotent.getMessage());
        final ProbeException all = assertThrows(ProbeException.class, () -> configure(Map.of(
                "probe.sink.kafka.producer.acks", "all")));
        assertTrue(all.getMessage().contains("probe.sink.kafka.delivery = fast"), all.getMessage());
        final ProbeException mode = assertThrows(ProbeException.class, () -> configure(Map.of(
                "probe.sink.kafka.delivery", "safe")));
        assertTrue(mode.getMessage().startsWith("Invalid value \"safe\" for probe.sink.kafka.delivery: expected one of fast, durable"),
                mode.getMessage());
    }

    @Test
    void unreachableBootstrapFailsNamingBootstrapServers() {
        final String address = "127.0.0.1:" + KafkaTestSupport.closedPort();
        final SinkFactory factory = configure(Map.of(
                "probe.sink.kafka.producer.bootstrap.servers", address,
                "probe.sink.kafka.startup-timeout", "1s"));
        final ProbeException e = assertThrows(ProbeException.class, () -> factory.create(TestContext.worker("tx-0-0")));
        assertEquals("Kafka at " + address + " did not answer within 1s (probe.sink.kafka.producer.bootstrap.servers)",
                e.getMessage());
    }

    @Test
    void missingTopicFailsNamingTheTopicSetting() {
        final SinkFactory factory = configure(Map.of(
                "probe.sink.kafka.producer.bootstrap.servers", broker.bootstrapServers(),
                "probe.sink.kafka.topic", "absent",
                "probe.sink.kafka.startup-timeout", "1s"));
        final ProbeException e = assertThrows(ProbeException.class, () -> factory.create(TestContext.worker("tx-0-0")));
        assertTrue(e.getMessage().startsWith("Topic absent does not exist at Kafka at " + broker.bootstrapServers()),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("(probe.sink.kafka.topic)"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void unresolvableBootstrapFailsNamingBootstrapServers() {
        final SinkFactory factory = configure(Map.of(
                "probe.sink.kafka.producer.bootstrap.servers", "no-such-host.invalid:9092"));
        final ProbeException e = assertThrows(ProbeException.class, () -> factory.create(TestContext.worker("tx-0-0")));
        assertTrue(e.getMessage().endsWith("(probe.sink.kafka.producer.bootstrap.servers)"), e.getMessage());
    }

    @Test
    void zeroMaxInFlightIsRejectedNamingThePath() {
        final ProbeException e = assertThrows(ProbeException.class,
                () -> configure(Map.of("probe.sink.kafka.max-in-flight", 0)));
        assertTrue(e.getMessage().startsWith("Invalid value 0 for probe.sink.kafka.max-in-flight: expected an integer"),
                e.getMessage());
    }

    @Test
    void unknownProducerSettingIsRejectedNamingThePath() {
        final ProbeException e = assertThrows(ProbeException.class,
                () -> configure(Map.of("probe.sink.kafka.producer.lingr.ms", 5)));
        assertTrue(e.getMessage().contains("probe.sink.kafka.producer.lingr.ms"), e.getMessage());
    }

    @Test
    void badProducerValueIsRejectedNamingThePath() {
        final ProbeException e = assertThrows(ProbeException.class,
                () -> configure(Map.of("probe.sink.kafka.producer.acks", "some")));
        assertTrue(e.getMessage().startsWith("Invalid value \"some\" for probe.sink.kafka.producer.acks"), e.getMessage());
    }

    @Test
    void bufferHeadroomMustBeBelowTheClientBuffer() {
        final ProbeException e = assertThrows(ProbeException.class,
                () -> configure(Map.of("probe.sink.kafka.producer.buffer.memory", 1_048_576)));
        assertTrue(e.getMessage().contains("probe.sink.kafka.buffer-headroom"), e.getMessage());
        assertTrue(e.getMessage().contains("1048576 bytes"), e.getMessage());
        final KafkaSinkSettings off = KafkaSinkSettings.from(KafkaTestSupport.config(Map.of(
                "probe.sink.kafka.producer.buffer.memory", 1_048_576, "probe.sink.kafka.buffer-headroom", 0)));
        assertEquals(0, off.bufferHeadroom());
        final ProbeException bad = assertThrows(ProbeException.class,
                () -> configure(Map.of("probe.sink.kafka.buffer-headroom", "lots")));
        assertTrue(bad.getMessage().contains("probe.sink.kafka.buffer-headroom"), bad.getMessage());
    }

    @Test
    void settingsTheSinkOwnsAreRejected() {
        final ProbeException e = assertThrows(ProbeException.class,
                () -> configure(Map.of("probe.sink.kafka.producer.max.block.ms", 100)));
        assertTrue(e.getMessage().contains("probe.sink.kafka.max-block"), e.getMessage());
    }

    @Test
    void quotedProducerKeyIsTheSamePropertyAsNestedKeys() {
        final Map<String, Object> overrides = new HashMap<>();
        overrides.put("probe.sink.kafka.producer.\"request.timeout.ms\"", 7000);
        overrides.put("probe.sink.kafka.producer.delivery.timeout.ms", 60000);
        final KafkaSinkSettings s = KafkaSinkSettings.from(KafkaTestSupport.config(overrides));
        assertEquals("7000", s.producer().get("request.timeout.ms"));
        assertEquals("60000", s.producer().get("delivery.timeout.ms"));
    }

    @Test
    void aKeyGivenBothQuotedAndNestedIsRejected() {
        // HOCON keeps "linger.ms" and linger { ms } apart, so neither would reliably win.
        final ProbeException e = assertThrows(ProbeException.class,
                () -> configure(Map.of("probe.sink.kafka.producer.\"linger.ms\"", 7)));
        assertTrue(e.getMessage().contains("linger.ms"), e.getMessage());
    }

    @Test
    void aListForASingleValueAndADeliveryTimeoutBelowLingerPlusRequestTimeoutAreRejected() {
        final ProbeException list = assertThrows(ProbeException.class,
                () -> configure(Map.of("probe.sink.kafka.producer.delivery.timeout.ms", List.of(1))));
        assertTrue(list.getMessage().startsWith("Invalid value [1] for probe.sink.kafka.producer.delivery.timeout.ms:"
                + " expected a single value for delivery.timeout.ms, not a list"), list.getMessage());
        final ProbeException small = assertThrows(ProbeException.class,
                () -> configure(Map.of("probe.sink.kafka.producer.delivery.timeout.ms", 1000)));
        assertTrue(small.getMessage().startsWith("Invalid value 1000 for probe.sink.kafka.producer.delivery.timeout.ms:"
                + " expected at least linger.ms + request.timeout.ms (5 + 30000 ms)"), small.getMessage());
        // A list where the client takes one is fine.
        assertEquals("127.0.0.1:1,127.0.0.1:2", KafkaSinkSettings.from(KafkaTestSupport.config(Map.of(
                "probe.sink.kafka.producer.bootstrap.servers", List.of("127.0.0.1:1", "127.0.0.1:2")))).bootstrapServers());
    }

    private static Map<String, Object> at(final String topic, final Object... more) {
        final Map<String, Object> m = new HashMap<>();
        m.put("probe.sink.kafka.producer.bootstrap.servers", broker.bootstrapServers());
        m.put("probe.sink.kafka.topic", topic);
        for (int i = 0; i < more.length; i += 2) {
            m.put((String) more[i], more[i + 1]);
        }
        return m;
    }

    private static long epochNanos(final String instant) {
        final Instant t = Instant.parse(instant);
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    @Test
    void anOldCaptureIntoATopicThatWouldDeleteItAtOnceIsRefusedNamingTheFix() {
        broker.createTopic("retained", 1, Map.of("retention.ms", "604800000"));
        final SinkFactory factory = configure(at("retained"));
        final ProbeException e = assertThrows(ProbeException.class, () -> factory.create(
                TestContext.worker("tx-0-0").live(false).startingAt(epochNanos("2023-03-01T12:00:00Z"))));
        assertEquals("Topic retained at Kafka at " + broker.bootstrapServers() + " deletes records stamped more than 7d"
                + " ago (retention.ms = 604800000), and the capture starts at 2023-03-01T12:00:00Z, so its records would be"
                + " deleted at once: set probe.sink.kafka.record-timestamp = send (the key keeps the capture time), or raise"
                + " the topic's retention.ms (-1 keeps records forever) (probe.sink.kafka.record-timestamp)", e.getMessage());
    }

    @Test
    void withSendTimestampsAnOldCaptureIsDeliveredStampedWithItsSendTimeWhileTheKeyKeepsTheCaptureTime() {
        broker.createTopic("resent", 1, Map.of("retention.ms", "604800000"));
        final long captured = epochNanos("2023-03-01T12:00:00Z");
        final long before = System.currentTimeMillis();
        try (Sink sink = configure(at("resent", "probe.sink.kafka.record-timestamp", "send")).create(
                TestContext.worker("tx-0-0").live(false).startingAt(captured))) {
            final TestBatch burst = new TestBatch();
            for (int i = 0; i < 3; i++) {
                burst.add(captured + i * 1_000L, TestBatch.frame(64, i), 64);
            }
            sink.send(burst);
            assertTrue(sink.flush(Duration.ofSeconds(30)));
            assertEquals(3, sink.counters().delivered());
        }
        final long after = System.currentTimeMillis();
        final List<ConsumerRecord<byte[], byte[]>> records = KafkaTestSupport.consume(broker.bootstrapServers(), "resent", 3);
        assertEquals(3, records.size());
        for (final ConsumerRecord<byte[], byte[]> r : records) {
            final long micros = PacketRecordFormat.epochMicros(r.key());
            assertTrue(micros >= captured / 1_000 && micros < captured / 1_000 + 3, "key keeps the capture time: " + micros);
            assertEquals(TimestampType.CREATE_TIME, r.timestampType());
            assertTrue(r.timestamp() >= before && r.timestamp() <= after, "stamped when sent: " + r.timestamp());
        }
    }

    @Test
    void aCaptureDatedBeyondTheTopicsFutureLimitIsRefusedWithAClearReason() {
        broker.createTopic("future", 1);
        final SinkFactory factory = configure(at("future"));
        final ProbeException e = assertThrows(ProbeException.class, () -> factory.create(
                TestContext.worker("tx-0-0").live(false).startingAt(epochNanos("2106-02-07T06:28:16Z"))));
        assertEquals("Topic future at Kafka at " + broker.bootstrapServers() + " refuses records stamped more than 1h"
                + " after now (message.timestamp.after.max.ms = 3600000), and the capture starts at 2106-02-07T06:28:16Z:"
                + " set probe.sink.kafka.record-timestamp = send (the key keeps the capture time), or raise the topic's"
                + " message.timestamp.after.max.ms, or correct the capture's clock (probe.sink.kafka.record-timestamp)",
                e.getMessage());
    }

    @Test
    void aCaptureOlderThanTheTopicsPastLimitIsRefusedNamingIt() {
        broker.createTopic("recent-only", 1, Map.of("message.timestamp.before.max.ms", "86400000"));
        final SinkFactory factory = configure(at("recent-only"));
        final long threeDaysAgo = (System.currentTimeMillis() - Duration.ofDays(3).toMillis()) * 1_000_000L;
        final ProbeException e = assertThrows(ProbeException.class, () -> factory.create(
                TestContext.worker("tx-0-0").live(false).startingAt(threeDaysAgo)));
        assertTrue(e.getMessage().startsWith("Topic recent-only at Kafka at " + broker.bootstrapServers()
                + " refuses records stamped more than 1d before now (message.timestamp.before.max.ms = 86400000)"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("(probe.sink.kafka.record-timestamp)"), e.getMessage());
    }

    @Test
    void aLogAppendTimeTopicTakesAnOldCaptureAndStampsItItself() {
        broker.createTopic("appended", 1, Map.of("retention.ms", "604800000", "message.timestamp.type", "LogAppendTime"));
        final long captured = epochNanos("2023-03-01T12:00:00Z");
        try (Sink sink = configure(at("appended")).create(TestContext.worker("tx-0-0").live(false).startingAt(captured))) {
            sink.send(new TestBatch().add(captured, TestBatch.frame(64, 1), 64));
            assertTrue(sink.flush(Duration.ofSeconds(30)));
            assertEquals(1, sink.counters().delivered());
        }
        final ConsumerRecord<byte[], byte[]> r = KafkaTestSupport.consume(broker.bootstrapServers(), "appended", 1).get(0);
        assertEquals(TimestampType.LOG_APPEND_TIME, r.timestampType());
        assertEquals(captured / 1_000, PacketRecordFormat.epochMicros(r.key()));
    }

    @Test
    void checkDestinationDescribesTheBrokersTheTopicAndTheGuardsVerdict() {
        broker.createTopic("described", 3, Map.of("retention.ms", "604800000", "max.message.bytes", "1500"));
        final List<String> lines = configure(at("described")).checkDestination();
        assertEquals("brokers: 1 (" + broker.bootstrapServers() + ")", lines.get(0));
        assertEquals("topic described: 3 partition(s), retention.ms 604800000 (deleted after 7d), message.timestamp.type"
                + " CreateTime (before.max.ms unlimited, after.max.ms 3600000 = 1h), max.message.bytes 1500", lines.get(1));
        assertEquals("probe.sink.kafka.producer.batch.size 262144 is above topic described's max.message.bytes 1500:"
                + " batches are capped at 1500 bytes", lines.get(2));
        assertTrue(lines.get(3).startsWith("guards: ok for a capture starting now; captures starting from "), lines.get(3));
        assertTrue(lines.get(3).endsWith(" are kept (older or later ones need probe.sink.kafka.record-timestamp = send)"),
                lines.get(3));
        assertEquals(4, lines.size(), lines.toString());

        final List<String> missing = configure(at("not-there")).checkDestination();
        assertEquals("topic not-there: does not exist (a run can write to it only if the brokers create topics on first use)",
                missing.get(1));
    }
}
