package dev.probe.sink.kafka;

import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.broker.KafkaTestSupport;
import dev.probe.testkit.TestBatch;
import dev.probe.testkit.TestContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sink hands the client one key array and one value array per frame length for every record: this
 * proves against a real broker that no record is corrupted by that, however the arrays are overwritten
 * once {@code send} has returned.
 */
class KafkaSinkArrayReuseTest {
    private static final Duration FLUSH = Duration.ofSeconds(30);
    private static final int BATCHES = 40;
    private static final int PER_BATCH = 256;
    private static final int[] LENGTHS = {60, 61, 1514};
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

    private static KafkaSink open(final String topic, final Map<String, Object> extra) {
        final Map<String, Object> overrides = new HashMap<>(extra);
        overrides.put("probe.sink.kafka.topic", topic);
        overrides.put("probe.sink.kafka.producer.bootstrap.servers", broker.bootstrapServers());
        return (KafkaSink) new KafkaSinkProvider().configure(KafkaTestSupport.config(overrides)).create(TestContext.worker("tx-0-0"));
    }

    @Test
    void everyRecordReadsBackByteExactThoughTheReusedArraysAreOverwrittenRightAfterEachSend() {
        broker.createTopic("reuse", 4);
        final int total = BATCHES * PER_BATCH;
        final long base = System.currentTimeMillis() * 1_000_000L - 60_000_000_000L;
        final Map<Long, byte[]> expected = new HashMap<>();
        // Lingering batches keep every record inside the client for a while after its send returned: a
        // client that kept a reference to an array would send whatever the array holds later.
        try (KafkaSink sink = open("reuse", Map.of("probe.sink.kafka.producer.linger.ms", 200))) {
            assertTrue(sink.reusesArrays());
            final TestBatch batch = new TestBatch();
            int seed = 0;
            for (int b = 0; b < BATCHES; b++) {
                batch.clear();
                for (int i = 0; i < PER_BATCH; i++) {
                    // Three lengths only, so each value array is reused thousands of times, and every
                    // frame's bytes and capture time differ from every other's.
                    final byte[] frame = TestBatch.frame(LENGTHS[seed % LENGTHS.length], seed);
                    frame[0] = (byte) seed;
                    frame[1] = (byte) (seed >> 8);
                    final long nanos = base + seed * 1_000L;
                    batch.add(nanos, frame);
                    expected.put(Math.floorDiv(nanos, 1_000L), frame);
                    seed++;
                }
                sink.send(batch);
                batch.release();
                sink.overwriteReusedArrays((byte) 0x5A);
            }
            assertTrue(sink.flush(FLUSH), "flush");
            assertEquals(total, sink.counters().sent());
            assertEquals(total, sink.counters().delivered());
            assertEquals(0, sink.counters().failed());
        }

        final List<ConsumerRecord<byte[], byte[]>> records = KafkaTestSupport.consume(broker.bootstrapServers(), "reuse", total);
        assertEquals(total, records.size(), "every record written once");
        final Map<Long, byte[]> seen = new HashMap<>();
        for (final ConsumerRecord<byte[], byte[]> r : records) {
            assertEquals(8, r.key().length);
            final long micros = ByteBuffer.wrap(r.key()).getLong();
            final byte[] frame = expected.get(micros);
            assertNotNull(frame, "key " + micros + " is the capture time of no frame sent (a key overwritten)");
            assertNull(seen.put(micros, r.value()), "key " + micros + " written twice");
            assertArrayEquals(frame, r.value(), "value of the frame captured at " + micros + " us");
            assertEquals(Math.floorDiv(micros, 1_000L), r.timestamp());
            assertFalse(TestBatch.poisoned(r.value()), "value read after release");
        }
        assertEquals(expected.keySet(), seen.keySet(), "every frame came back");
    }

    @Test
    void withAnInterceptorConfiguredEveryRecordGetsArraysOfItsOwn() {
        broker.createTopic("reuse-interceptor", 1);
        try (KafkaSink sink = open("reuse-interceptor", Map.of("probe.sink.kafka.producer.interceptor.classes",
                KeepingInterceptor.class.getName()))) {
            assertFalse(sink.reusesArrays(), "an interceptor may keep the records it is shown");
        }
    }

    /** An interceptor that does nothing; its presence alone turns array reuse off. */
    public static final class KeepingInterceptor
            implements org.apache.kafka.clients.producer.ProducerInterceptor<byte[], byte[]> {
        @Override
        public org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]> onSend(
                final org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]> record) {
            return record;
        }

        @Override
        public void onAcknowledgement(final org.apache.kafka.clients.producer.RecordMetadata metadata, final Exception e) {
        }

        @Override
        public void close() {
        }

        @Override
        public void configure(final Map<String, ?> configs) {
        }
    }
}
