package dev.probe.sink.kafka;

import dev.probe.api.ProbeException;
import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.broker.KafkaTestSupport;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkProvider;
import dev.probe.testkit.TestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
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
        assertEquals("5", props.get("max.block.ms"));
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
}
