package dev.probe.sink.kafka;

import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.broker.KafkaBrokerProcess;
import dev.probe.broker.KafkaTestSupport;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkCounters;
import dev.probe.spi.SinkFailure;
import dev.probe.testkit.TestBatch;
import dev.probe.testkit.TestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sink through a real broker outage (the broker process killed with SIGKILL): records the client
 * cannot take are kept, not failed, and delivered once the broker is back; kept longer than the
 * delivery timeout, they are counted as sink-unavailable with the client's message, and later bursts
 * fail at once until the client takes a record again.
 */
class KafkaSinkOutageTest {
    private static final long BASE = 1_700_000_000_000_000_000L;
    private static KafkaBrokerProcess broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBrokerProcess.start(EmbeddedKafkaBroker.Options.defaults().withAutoCreateTopics(false));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static Sink open(final String topic, final Object... more) {
        final Map<String, Object> m = new HashMap<>();
        m.put("probe.sink.kafka.topic", topic);
        m.put("probe.sink.kafka.producer.bootstrap.servers", broker.bootstrapServers());
        // far above what the test sends: only the client's refusals stop the sink taking more
        m.put("probe.sink.kafka.max-in-flight", 10_000_000);
        for (int i = 0; i < more.length; i += 2) {
            m.put((String) more[i], more[i + 1]);
        }
        return new KafkaSinkProvider().configure(KafkaTestSupport.config(m))
                .create(TestContext.worker("tx-0-0").live(false));
    }

    /** Sends bursts of {@code size} numbered frames from {@code next} for as long as the sink takes them; returns the next number. */
    private static int sendWhileTaken(final Sink sink, final int next, final int size, final int most) {
        int n = next;
        while (sink.available() > 0 && n - next < most) {
            final TestBatch burst = new TestBatch();
            for (int i = 0; i < size; i++, n++) {
                burst.add(BASE + n * 1_000L, TestBatch.frame(100, n), 100);
            }
            sink.send(burst);
            burst.release();
        }
        return n;
    }

    @Test
    void recordsTheClientRefusesDuringAnOutageAreKeptAndDeliveredOnceTheBrokerIsBack() {
        broker.createTopic("outage", 2);
        try (Sink sink = open("outage", "probe.sink.kafka.delivery", "durable")) {
            final SinkCounters c = sink.counters();
            int sent = sendWhileTaken(sink, 0, 50, 100);
            assertTrue(sink.flush(Duration.ofSeconds(30)));
            assertEquals(sent, c.delivered());

            broker.kill();
            sent = sendWhileTaken(sink, sent, 50, 200_000);
            assertEquals(0, sink.available(), "the sink pushes back");
            final double pending = sink.details().get("pending-records");
            assertTrue(pending > 0, "the client refused records while the broker was down: " + sink.details());
            assertEquals(0, c.failed(), c.failedByReason().toString());
            assertEquals(sent, c.sent());
            final long heldDuringOutage = c.inFlight();
            System.out.printf("outage: %d sent, %d delivered before the kill, %d held (%d kept by the sink)%n",
                    sent, c.delivered(), heldDuringOutage, (long) pending);

            final long restart = System.nanoTime();
            broker.restart();
            assertTrue(sink.flush(Duration.ofSeconds(120)));
            System.out.printf("outage: all delivered %d ms after the restart began%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restart));
            assertEquals(sent, c.delivered());
            assertEquals(0, c.failed(), c.failedByReason().toString());
            final int[] seen = new int[sent];
            KafkaTestSupport.forEachRecord(broker.bootstrapServers(), "outage",
                    r -> seen[(int) (ByteBuffer.wrap(r.key()).getLong() - BASE / 1_000)]++);
            for (int i = 0; i < sent; i++) {
                assertEquals(1, seen[i], "record " + i + " in the topic");
            }
        }
    }

    @Test
    void recordsRefusedForLongerThanTheDeliveryTimeoutFailAsUnavailableAndLaterBurstsFailAtOnceUntilTheBrokerIsBack() {
        broker.createTopic("given-up", 1);
        try (Sink sink = open("given-up",
                "probe.sink.kafka.producer.delivery.timeout.ms", 3_000,
                "probe.sink.kafka.producer.request.timeout.ms", 2_000,
                "probe.sink.kafka.producer.linger.ms", 0)) {
            final SinkCounters c = sink.counters();
            int sent = sendWhileTaken(sink, 0, 10, 10);
            assertTrue(sink.flush(Duration.ofSeconds(30)));

            broker.kill();
            sent = sendWhileTaken(sink, sent, 10, 200_000);
            assertTrue(sink.details().get("pending-records") > 0, sink.details().toString());
            // Nothing moves for the delivery timeout: the kept records fail, and so do those in the client.
            assertTrue(sink.flush(Duration.ofSeconds(60)));
            assertEquals(sent, c.delivered() + c.failed());
            assertTrue(c.failed(SinkFailure.UNAVAILABLE) > 0, c.failedByReason().toString());
            assertEquals("not taken for 3s (delivery.timeout.ms): TimeoutException: Topic given-up not present in"
                    + " metadata after 2 ms.", c.firstError(SinkFailure.UNAVAILABLE), "max.block.ms is half of max-block (5ms)");
            assertEquals(c.failed(), c.failed(SinkFailure.UNAVAILABLE) + c.failed(SinkFailure.TIMEOUT),
                    c.failedByReason().toString());

            // Given up on: a burst is tried once and failed at once, nothing kept.
            final long unavailable = c.failed(SinkFailure.UNAVAILABLE);
            assertTrue(sink.available() > 0);
            sent = sendWhileTaken(sink, sent, 10, 10);
            assertEquals(unavailable + 10, c.failed(SinkFailure.UNAVAILABLE));
            assertEquals(0, c.inFlight());

            broker.restart();
            // Until the client has the topic's metadata again, bursts still fail at once; the first one it
            // takes ends that.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            long failedBefore;
            do {
                failedBefore = c.failed();
                sent = sendWhileTaken(sink, sent, 1, 1);
            } while (c.failed() > failedBefore && System.nanoTime() < deadline);
            final long delivered = c.delivered();
            sent = sendWhileTaken(sink, sent, 10, 100);
            assertTrue(sink.flush(Duration.ofSeconds(30)));
            assertTrue(c.delivered() >= delivered + 101, "delivered again after the restart: " + c.delivered());
            assertEquals(sent, c.delivered() + c.failed());
        }
    }
}
