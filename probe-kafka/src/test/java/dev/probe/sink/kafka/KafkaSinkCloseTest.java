package dev.probe.sink.kafka;

import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.testkit.TestBatch;
import dev.probe.testkit.TestContext;
import dev.probe.broker.KafkaTestSupport;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkCounters;
import dev.probe.spi.SinkFailure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Closing with packets in flight: every packet ends up delivered or failed, exactly once. */
class KafkaSinkCloseTest {
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.defaults().withAutoCreateTopics(false));
        broker.createTopic("closing", 2);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static TestBatch burst(final int n, final int seed) {
        final TestBatch burst = new TestBatch();
        final long now = System.currentTimeMillis() * 1_000_000L;
        for (int i = 0; i < n; i++) {
            burst.add(now + i * 1_000L, TestBatch.frame(100, seed + i), 100);
        }
        return burst;
    }

    @Test
    void closeAfterTheBrokerStoppedCountsWhatIsLeftAsShutdownSoTheCountersAddUp() {
        final Sink sink = new KafkaSinkProvider().configure(KafkaTestSupport.config(Map.of(
                "probe.sink.kafka.topic", "closing",
                "probe.sink.kafka.producer.bootstrap.servers", broker.bootstrapServers(),
                // records stay in the client until flush, so they are surely in flight when the broker stops
                "probe.sink.kafka.producer.linger.ms", 60_000))).create(TestContext.worker("tx-0-0"));
        sink.send(burst(100, 0));
        assertTrue(sink.flush(Duration.ofSeconds(30)));
        assertEquals(100, sink.counters().delivered());

        sink.send(burst(500, 1000));
        broker.close();
        // Nothing can be acknowledged now; flush gives up within its timeout.
        assertFalse(sink.flush(Duration.ofMillis(300)));
        assertTrue(sink.counters().inFlight() > 0);

        sink.close();
        final SinkCounters c = sink.counters();
        assertEquals(600, c.sent());
        assertEquals(0, c.inFlight());
        assertEquals(c.sent(), c.delivered() + c.failed());
        // The client may still get some of the second burst out while the broker shuts down.
        assertTrue(c.delivered() >= 100 && c.delivered() < 600, "delivered " + c.delivered());
        assertEquals(600 - c.delivered(), c.failed(SinkFailure.SHUTDOWN) + c.failed(SinkFailure.TIMEOUT)
                + c.failed(SinkFailure.OTHER) + c.failed(SinkFailure.BUFFER_EXHAUSTED));
        assertTrue(c.failed(SinkFailure.SHUTDOWN) > 0, c.failedByReason().toString());
        assertEquals(0, sink.available());

        // A second close changes nothing; packets sent after close are counted, not lost.
        sink.close();
        sink.send(burst(3, 5000));
        assertEquals(603, c.sent());
        assertEquals(c.sent(), c.delivered() + c.failed());
    }
}
