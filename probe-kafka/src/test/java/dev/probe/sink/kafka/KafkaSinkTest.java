package dev.probe.sink.kafka;

import dev.probe.api.LinkType;
import dev.probe.broker.CapturedLogs;
import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.testkit.TestBatch;
import dev.probe.testkit.TestContext;
import dev.probe.broker.KafkaTestSupport;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkCounters;
import dev.probe.spi.SinkFailure;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sink against a real broker: the record layout, the counters and the in-flight bound. */
class KafkaSinkTest {
    private static final Duration FLUSH = Duration.ofSeconds(30);
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
        return open(topic, extra, TestContext.worker("tx-0-0"));
    }

    private static KafkaSink open(final String topic, final Map<String, Object> extra, final TestContext context) {
        final Map<String, Object> overrides = new HashMap<>(extra);
        overrides.put("probe.sink.kafka.topic", topic);
        overrides.put("probe.sink.kafka.producer.bootstrap.servers", broker.bootstrapServers());
        return (KafkaSink) new KafkaSinkProvider().configure(KafkaTestSupport.config(overrides)).create(context);
    }

    @Test
    void writesOneRecordPerFrameWithCaptureTimeKeyRawValueAndWireLengthHeaderOnTruncatedFrames() {
        broker.createTopic("contract", 3);
        final TestBatch burst = new TestBatch();
        final long base = System.currentTimeMillis() * 1_000_000L - 10_000_000_000L;
        final List<byte[]> frames = new ArrayList<>();
        final List<Long> nanos = new ArrayList<>();
        final List<Integer> wires = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            final byte[] frame = TestBatch.frame(60 + i * 29, i);
            final long t = base + i * 1_234_567L + 999;   // sub-microsecond part is dropped by the key
            final int wire = i % 5 == 0 ? frame.length + 1000 + i : frame.length;
            burst.add(t, frame, wire);
            frames.add(frame);
            nanos.add(t);
            wires.add(wire);
        }
        try (Sink sink = open("contract", Map.of())) {
            sink.send(burst);
            assertTrue(sink.flush(FLUSH), "flush");
            final SinkCounters c = sink.counters();
            assertEquals(50, c.sent());
            assertEquals(50, c.delivered());
            assertEquals(0, c.failed());
            assertEquals(0, c.inFlight());
            assertEquals(frames.stream().mapToLong(f -> f.length).sum(), c.bytesDelivered());
        }

        final List<ConsumerRecord<byte[], byte[]>> records =
                new ArrayList<>(KafkaTestSupport.consume(broker.bootstrapServers(), "contract", 50));
        assertEquals(50, records.size());
        records.sort(Comparator.comparingLong(r -> ByteBuffer.wrap(r.key()).getLong()));
        for (int i = 0; i < 50; i++) {
            final ConsumerRecord<byte[], byte[]> r = records.get(i);
            final long micros = Math.floorDiv(nanos.get(i), 1_000L);
            assertEquals(8, r.key().length);
            assertEquals(micros, ByteBuffer.wrap(r.key()).getLong(), "key of " + i);
            assertArrayEquals(frames.get(i), r.value(), "value of " + i);
            assertEquals(TimestampType.CREATE_TIME, r.timestampType());
            assertEquals(Math.floorDiv(micros, 1_000L), r.timestamp(), "timestamp of " + i);
            final Header header = r.headers().lastHeader("wire-length");
            if (wires.get(i) > frames.get(i).length) {
                assertNotNull(header, "wire-length of truncated " + i);
                assertEquals(4, header.value().length);
                assertEquals(wires.get(i).intValue(), ByteBuffer.wrap(header.value()).getInt());
                assertEquals(1, r.headers().toArray().length);
            } else {
                assertNull(header, "no wire-length on complete " + i);
                assertEquals(0, r.headers().toArray().length);
            }
        }
    }

    @Test
    void countsARecordAboveMaxRequestSizeAsTooLargeWithoutThrowing() {
        broker.createTopic("too-large", 1);
        final TestBatch burst = new TestBatch();
        final long now = System.currentTimeMillis() * 1_000_000L;
        burst.add(now, TestBatch.frame(100, 1), 100);
        burst.add(now + 1_000, TestBatch.frame(5000, 2), 5000);
        burst.add(now + 2_000, TestBatch.frame(200, 3), 200);
        try (Sink sink = open("too-large", Map.of("probe.sink.kafka.producer.max.request.size", 2000))) {
            assertDoesNotThrow(() -> sink.send(burst));
            assertTrue(sink.flush(FLUSH));
            final SinkCounters c = sink.counters();
            assertEquals(3, c.sent());
            assertEquals(2, c.delivered());
            assertEquals(1, c.failed(SinkFailure.RECORD_TOO_LARGE));
            assertEquals(1, c.failed());
            assertEquals(c.sent(), c.delivered() + c.failed());
        }
        assertEquals(2, KafkaTestSupport.consume(broker.bootstrapServers(), "too-large", 2).size());
    }

    @Test
    void countsAFrameCapturedBefore1970AsAnInvalidTimestampWithoutThrowing() {
        broker.createTopic("refused", 1);
        final TestBatch burst = new TestBatch();
        // Before 1970: ProducerRecord rejects a negative timestamp by throwing from the constructor.
        burst.add(-5_000_000_000L, TestBatch.frame(64, 1), 64);
        burst.add(System.currentTimeMillis() * 1_000_000L, TestBatch.frame(64, 2), 64);
        try (Sink sink = open("refused", Map.of())) {
            assertDoesNotThrow(() -> sink.send(burst));
            assertTrue(sink.flush(FLUSH));
            assertEquals(2, sink.counters().sent());
            assertEquals(1, sink.counters().delivered());
            assertEquals(1, sink.counters().failed(SinkFailure.INVALID_TIMESTAMP));
            assertTrue(sink.counters().firstError(SinkFailure.INVALID_TIMESTAMP).contains("1969-12-31T23:59:55Z"),
                    sink.counters().firstError(SinkFailure.INVALID_TIMESTAMP));
        }
    }

    @Test
    void aFullClientBufferKeepsTheRestOfTheBurstPendingAndDeliversItLaterInsteadOfFailingIt() {
        broker.createTopic("buffer-full", 2);
        final TestBatch burst = new TestBatch();
        for (int i = 0; i < 40; i++) {
            burst.add(1_700_000_000_000_000_000L + i * 1_000L, TestBatch.frame(100, i), 100);
        }
        // Keys hashed over both partitions: the first batch takes the whole buffer and lingers; the first
        // record for the other partition needs a second batch and finds no memory within max-block. The
        // client refuses it on the sending thread: that record and the rest of the burst are kept, not
        // failed, and the sink takes nothing more until they are handed over.
        // buffer-headroom 0: the sink is sent to regardless of the buffer, as a worker ignoring it would.
        try (Sink sink = open("buffer-full", Map.of(
                "probe.sink.kafka.max-block", "1ms",
                "probe.sink.kafka.buffer-headroom", 0,
                "probe.sink.kafka.producer.buffer.memory", 262_144,
                "probe.sink.kafka.producer.batch.size", 262_144,
                "probe.sink.kafka.producer.linger.ms", 60_000,
                "probe.sink.kafka.producer.partitioner.ignore.keys", false))) {
            sink.send(burst);
            // The packets go back to their source now: what the sink kept must be its own copies.
            burst.release();
            final SinkCounters c = sink.counters();
            final double pending = sink.details().get("pending-records");
            assertTrue(pending > 0 && pending < 40, "pending " + pending);
            assertEquals(40, c.sent());
            // The client sends the lingering batch early once a send waits for memory, so some records may
            // be delivered already; none may have failed.
            assertEquals(0, c.failed(), c.failedByReason().toString());
            assertEquals(0, sink.available(), "pending records push back onto the ring");

            // Flushing sends the lingering batch, which frees the buffer for the pending records.
            assertTrue(sink.flush(FLUSH));
            assertEquals(40, c.sent());
            assertEquals(40, c.delivered());
            assertEquals(0, c.failed(), c.failedByReason().toString());
            assertEquals(0.0, sink.details().get("pending-records"));
            assertEquals(32_768, sink.available());

            final List<Long> written = new ArrayList<>();
            for (final ConsumerRecord<byte[], byte[]> r : KafkaTestSupport.consume(broker.bootstrapServers(), "buffer-full", 40)) {
                final long micros = ByteBuffer.wrap(r.key()).getLong();
                written.add(micros);
                assertArrayEquals(TestBatch.frame(100, (int) (micros - 1_700_000_000_000_000L)), r.value());
            }
            written.sort(Comparator.naturalOrder());
            final List<Long> all = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                all.add(1_700_000_000_000_000L + i);
            }
            assertEquals(all, written, "every record of the burst, each once");
        }
    }

    @Test
    void availableFallsToZeroOnALowClientBufferSoThatLargeFramesPushBackInsteadOfFailing() {
        broker.createTopic("buffer-low", 16);
        final int partitions = 16;
        final int batch = 262_144;
        final int burstSize = 4;
        final int frameSize = 8_192;
        // Keys hashed over 16 partitions, each opening a 256 KiB batch that lingers: 16 batches fill the
        // 4 MiB buffer while no batch (32 frames of 8 KiB) fills up, so nothing leaves before flush. The
        // headroom covers what one burst can claim: a new batch for each of its packets.
        try (Sink sink = open("buffer-low", Map.of(
                "probe.sink.kafka.buffer-headroom", burstSize * batch,
                "probe.sink.kafka.producer.buffer.memory", partitions * batch,
                "probe.sink.kafka.producer.batch.size", batch,
                "probe.sink.kafka.producer.linger.ms", 60_000,
                "probe.sink.kafka.producer.partitioner.ignore.keys", false))) {
            final TestBatch burst = new TestBatch();
            final long base = 1_700_000_000_000_000_000L;
            final int most = partitions * (batch / frameSize) / 2;   // far fewer than max-in-flight
            int sent = 0;
            // The transmit worker's loop: take no more than available() from the ring.
            int room;
            while ((room = sink.available()) > 0 && sent < most) {
                burst.clear();
                for (int i = 0; i < Math.min(room, burstSize); i++, sent++) {
                    burst.add(base + sent * 1_000L, TestBatch.frame(frameSize, sent), frameSize);
                }
                sink.send(burst);
            }
            final SinkCounters c = sink.counters();
            assertEquals(0, room, "available() fell to 0 after " + sent + " frames");
            assertEquals(sent, c.inFlight(), "nothing completed before flush");
            assertTrue(c.inFlight() < 32_768, "bounded by the buffer, not by max-in-flight");
            assertEquals(0, c.failed(), c.failedByReason().toString());
            assertTrue(sink.flush(FLUSH));
            assertEquals(sent, c.delivered());
            assertEquals(0, c.failed(SinkFailure.BUFFER_EXHAUSTED));
            assertEquals(32_768, sink.available());
        }
    }

    @Test
    void availableIsMaxInFlightLessInFlightAndRecoversAfterFlush() {
        broker.createTopic("bounded", 1);
        final int max = 10;
        final int first = 4;
        // A long linger keeps the records in the client until flush, without any timing assumption:
        // nothing completes before flush, so in-flight is exactly what was sent.
        try (Sink sink = open("bounded", Map.of("probe.sink.kafka.max-in-flight", max,
                "probe.sink.kafka.producer.linger.ms", 60_000))) {
            assertEquals(max, sink.available());
            final long now = System.currentTimeMillis() * 1_000_000L;
            final TestBatch burst = new TestBatch();
            for (int i = 0; i < first; i++) {
                burst.add(now + i * 1_000L, TestBatch.frame(64, i), 64);
            }
            sink.send(burst);
            assertEquals(first, sink.counters().inFlight());
            assertEquals(max - first, sink.available());

            burst.clear();
            for (int i = first; i < max; i++) {
                burst.add(now + i * 1_000L, TestBatch.frame(64, i), 64);
            }
            sink.send(burst);
            assertEquals(max, sink.counters().inFlight());
            assertEquals(0, sink.available());

            assertTrue(sink.flush(FLUSH));
            assertEquals(0, sink.counters().inFlight());
            assertEquals(max, sink.available());
            assertEquals(max, sink.counters().delivered());
        }
    }

    @Test
    void availableFallsToZeroWhenMaxInFlightIsReached() {
        broker.createTopic("bounded-zero", 1);
        final int max = 10;
        try (Sink sink = open("bounded-zero", Map.of("probe.sink.kafka.max-in-flight", max,
                "probe.sink.kafka.producer.linger.ms", 600_000,
                "probe.sink.kafka.producer.delivery.timeout.ms", 700_000))) {
            final TestBatch burst = new TestBatch();
            final long now = System.currentTimeMillis() * 1_000_000L;
            for (int i = 0; i < max; i++) {
                burst.add(now + i * 1_000L, TestBatch.frame(64, i), 64);
            }
            sink.send(burst);
            // With a 10-minute linger and a batch far from full nothing is sent before flush.
            assertEquals(max, sink.counters().inFlight());
            assertEquals(0, sink.available());
            assertTrue(sink.flush(FLUSH));
            assertEquals(max, sink.available());
        }
    }

    @Test
    void aCaptureThatIsNotEthernetCarriesItsLinkTypeInEveryRecordAndEthernetCarriesNone() {
        broker.createTopic("link-types", 1);
        final long now = System.currentTimeMillis() * 1_000_000L;
        final TestBatch cooked = new TestBatch()
                .add(now, TestBatch.frame(80, 1), 80)
                .add(now + 1_000, TestBatch.frame(80, 2), 300);
        final TestBatch ethernet = new TestBatch()
                .add(now + 2_000, TestBatch.frame(80, 3), 80)
                .add(now + 3_000, TestBatch.frame(80, 4), 300);
        try (Sink sink = open("link-types", Map.of(), TestContext.worker("tx-0-0").linkType(LinkType.LINUX_SLL))) {
            sink.send(cooked);
            assertTrue(sink.flush(FLUSH));
        }
        try (Sink sink = open("link-types", Map.of(), TestContext.worker("tx-0-1"))) {
            sink.send(ethernet);
            assertTrue(sink.flush(FLUSH));
        }
        final List<ConsumerRecord<byte[], byte[]>> records = KafkaTestSupport.consume(broker.bootstrapServers(), "link-types", 4);
        assertEquals(4, records.size());
        for (final ConsumerRecord<byte[], byte[]> r : records) {
            final long micros = ByteBuffer.wrap(r.key()).getLong();
            final int index = (int) (micros - now / 1_000);
            final Header linkType = r.headers().lastHeader("link-type");
            if (index < 2) {
                assertNotNull(linkType, "link-type on cooked record " + index);
                assertArrayEquals(new byte[] {0, 0, 0, 113}, linkType.value());
                assertEquals(LinkType.LINUX_SLL, PacketRecordFormat.linkType(linkType.value()));
            } else {
                assertNull(linkType, "no link-type on Ethernet record " + index);
            }
            // The wire-length header is unchanged beside it.
            assertEquals(index % 2 == 1, r.headers().lastHeader("wire-length") != null, "wire-length on " + index);
            assertEquals(index < 2 ? (index % 2 == 1 ? 2 : 1) : index % 2, r.headers().toArray().length);
        }
    }

    @Test
    void framesAboveTheTopicsMaxMessageBytesAreCountedAtOnceWithoutTheClientsRetryLoopOrItsWarnings() {
        broker.createTopic("small-messages", 1, Map.of("max.message.bytes", "1500"));
        final long now = System.currentTimeMillis() * 1_000_000L;
        final TestBatch burst = new TestBatch();
        for (int i = 0; i < 300; i++) {
            // every third frame is a full Ethernet frame, above the topic's 1500 bytes once in a record
            final int length = i % 3 == 0 ? 1514 : 200;
            burst.add(now + i * 1_000L, TestBatch.frame(length, i), length);
        }
        try (CapturedLogs logs = new CapturedLogs()) {
            try (Sink sink = open("small-messages", Map.of("probe.sink.kafka.producer.linger.ms", 50))) {
                sink.send(burst);
                final SinkCounters c = sink.counters();
                // counted before send returned, not after the client's delivery timeout
                assertEquals(100, c.failed(SinkFailure.RECORD_TOO_LARGE), c.failedByReason().toString());
                assertTrue(sink.flush(FLUSH));
                assertEquals(200, c.delivered());
                assertEquals(100, c.failed());
                assertEquals("a 1514-byte frame makes a record of up to 1608 bytes, above the 1500 bytes topic"
                        + " small-messages takes (its max.message.bytes)", c.firstError(SinkFailure.RECORD_TOO_LARGE));
            }
            assertEquals(List.of(), logs.lines("org.apache.kafka"), "no client warnings");
            final List<String> ours = logs.lines("dev.probe.sink.kafka");
            assertEquals(1, ours.size(), ours.toString());
            assertTrue(ours.get(0).contains("batch.size 262144 is above topic small-messages's max.message.bytes 1500"),
                    ours.get(0));
        }
        assertEquals(200, KafkaTestSupport.consume(broker.bootstrapServers(), "small-messages", 200).size());
    }

    @Test
    void recordsTheBrokerRefusesForTheirTimestampAreCountedAsInvalidTimestampBatchMatesIncluded() throws Exception {
        // The sink checks time stamps against the topic's window as it was at start-up; the window then
        // narrows, so the broker refuses the batch: two records outside it, eight valid batch-mates.
        broker.createTopic("narrowing", 1, Map.of("message.timestamp.after.max.ms", String.valueOf(Long.MAX_VALUE)));
        final long now = System.currentTimeMillis() * 1_000_000L;
        final long twoHoursAhead = now + Duration.ofHours(2).toNanos();
        final TestBatch burst = new TestBatch();
        for (int i = 0; i < 10; i++) {
            burst.add((i == 3 || i == 7 ? twoHoursAhead : now) + i * 1_000L, TestBatch.frame(100, i), 100);
        }
        try (Sink sink = open("narrowing", Map.of("probe.sink.kafka.producer.linger.ms", 60_000))) {
            broker.alterTopic("narrowing", Map.of("message.timestamp.after.max.ms", "3600000"));
            sink.send(burst);
            assertTrue(sink.flush(FLUSH));
            final SinkCounters c = sink.counters();
            assertEquals(10, c.failed(SinkFailure.INVALID_TIMESTAMP), c.failedByReason().toString());
            assertEquals(10, c.failed());
            assertEquals(0, c.delivered());
            final String message = c.firstError(SinkFailure.INVALID_TIMESTAMP);
            assertTrue(message.startsWith("InvalidRecordException: Timestamp ") && message.contains("out of range"), message);
        }
    }

    @Test
    void detailsReportTheProducersMainMetrics() {
        broker.createTopic("metrics", 1);
        try (Sink sink = open("metrics", Map.of())) {
            sink.send(new TestBatch().add(System.currentTimeMillis() * 1_000_000L, TestBatch.frame(64, 1), 64));
            assertTrue(sink.flush(FLUSH));
            final Map<String, Double> details = sink.details();
            assertEquals(List.of("record-send-rate", "request-latency-avg", "buffer-available-bytes",
                    "record-error-rate", "record-retry-rate", "pending-records"), List.copyOf(details.keySet()));
            final double free = details.get("buffer-available-bytes");
            assertTrue(free > 0 && free <= 67_108_864.0, details.toString());
            assertTrue(details.get("record-send-rate") > 0, details.toString());
            assertEquals(0.0, details.get("record-error-rate"));
        }
    }

    @Test
    void packetsTheTopicWouldDeleteAtOnceAreCountedAsInvalidTimestampsNotDeliveredToVanish() {
        // A live capture with a clock days behind, or a file whose later packets are older than its first:
        // the start-up guard saw a recent first packet, the later ones fall behind the topic's retention.
        broker.createTopic("short-retention", 1, Map.of("retention.ms", "86400000"));
        final long now = System.currentTimeMillis() * 1_000_000L;
        final long threeDaysAgo = now - Duration.ofDays(3).toNanos();
        final TestBatch burst = new TestBatch();
        for (int i = 0; i < 10; i++) {
            burst.add((i % 2 == 0 ? now : threeDaysAgo) + i * 1_000L, TestBatch.frame(100, i), 100);
        }
        try (Sink sink = open("short-retention", Map.of())) {
            sink.send(burst);
            assertTrue(sink.flush(FLUSH));
            final SinkCounters c = sink.counters();
            assertEquals(5, c.delivered());
            assertEquals(5, c.failed(SinkFailure.INVALID_TIMESTAMP), c.failedByReason().toString());
            final String message = c.firstError(SinkFailure.INVALID_TIMESTAMP);
            assertTrue(message.contains(" is more than 1d ago, so topic short-retention would delete the record at once"
                    + " (retention.ms 86400000); probe.sink.kafka.record-timestamp = send stamps records with their send time"),
                    message);
        }
        assertEquals(5, KafkaTestSupport.recordCount(broker.bootstrapServers(), "short-retention"));
    }
}
