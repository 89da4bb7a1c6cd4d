package dev.probe.sink.kafka;

import dev.probe.api.ProbeException;
import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.broker.KafkaTestSupport;
import dev.probe.spi.Sink;
import dev.probe.testkit.TestBatch;
import dev.probe.testkit.TestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A broker that creates topics on first use: the sink's metadata request creates the topic, and the
 * sink then reads the new topic's settings and applies its limits and guards as for any other topic.
 */
class KafkaSinkAutoCreateTest {
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.defaults().withAutoCreateTopics(true)
                .withOverrides(Map.of("log.retention.ms", "604800000", "message.max.bytes", "1000")));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static Sink open(final String topic, final TestContext context) {
        return new KafkaSinkProvider().configure(KafkaTestSupport.config(Map.of("probe.sink.kafka.topic", topic,
                "probe.sink.kafka.producer.bootstrap.servers", broker.bootstrapServers()))).create(context);
    }

    @Test
    void aTopicCreatedOnFirstUseGetsTheSameLimitsAndGuards() {
        final long now = System.currentTimeMillis() * 1_000_000L;
        try (Sink sink = open("made-on-first-use", TestContext.worker("tx-0-0"))) {
            sink.send(new TestBatch().add(now, TestBatch.frame(100, 1), 100).add(now + 1_000, TestBatch.frame(1200, 2), 1200));
            assertTrue(sink.flush(Duration.ofSeconds(30)));
            assertEquals(1, sink.counters().delivered());
            assertEquals(1, sink.counters().failed(dev.probe.spi.SinkFailure.RECORD_TOO_LARGE),
                    sink.counters().failedByReason().toString());
        }
        final Instant old = Instant.parse("2023-03-01T12:00:00Z");
        final ProbeException e = assertThrows(ProbeException.class, () -> open("made-for-an-old-capture",
                TestContext.worker("tx-0-0").live(false).startingAt(old.getEpochSecond() * 1_000_000_000L)));
        assertTrue(e.getMessage().contains("deletes records stamped more than 7d ago (retention.ms = 604800000)"), e.getMessage());
    }
}
