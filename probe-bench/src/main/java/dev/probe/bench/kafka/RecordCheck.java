package dev.probe.bench.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Reads a sample of the records one contender wrote during its measuring window back from the broker
 * and checks them byte for byte: the probe's records must carry an 8-byte big-endian capture time
 * in microseconds inside the run, a record timestamp equal to it in milliseconds, and a value equal
 * to one of the frames replayed; ProducerPerformance's must have no key and a value of the record size
 * made of its random letters. Used by {@link KafkaBench} on the controlling thread.
 */
final class RecordCheck {
    private static final Duration POLL = Duration.ofMillis(500);
    private static final long READ_NANOS = Duration.ofSeconds(20).toNanos();

    /** What was read and what was wrong; {@code firstProblem} is null when nothing was. */
    record Result(long checked, long bad, String firstProblem) {
    }

    /** Checks one record; returns null when it is right, else what is wrong. */
    interface Rule {
        String check(ConsumerRecord<byte[], byte[]> record);
    }

    private RecordCheck() {
    }

    /**
     * Reads up to {@code perPartition} records of each partition from {@code from} (partition to offset)
     * and applies {@code rule} to each.
     */
    static Result sample(final String bootstrap, final String topic, final Map<Integer, Long> from,
                         final int perPartition, final Rule rule) {
        final Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        long checked = 0;
        long bad = 0;
        String first = null;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            final List<TopicPartition> partitions = new ArrayList<>();
            from.keySet().forEach(i -> partitions.add(new TopicPartition(topic, i)));
            consumer.assign(partitions);
            from.forEach((i, offset) -> consumer.seek(new TopicPartition(topic, i), offset));
            final Map<Integer, Integer> read = new java.util.HashMap<>();
            final long deadline = System.nanoTime() + READ_NANOS;
            while (read.size() < partitions.size() || read.values().stream().anyMatch(n -> n < perPartition)) {
                if (System.nanoTime() - deadline > 0) {
                    break;
                }
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    final int n = read.merge(r.partition(), 1, Integer::sum);
                    if (n > perPartition) {
                        continue;
                    }
                    checked++;
                    final String problem = rule.check(r);
                    if (problem != null) {
                        bad++;
                        if (first == null) {
                            first = "partition " + r.partition() + " offset " + r.offset() + ": " + problem;
                        }
                    }
                }
            }
        }
        return new Result(checked, bad, first);
    }

    /**
     * The probe's record contract: key = capture time (8-byte big-endian epoch microseconds) between
     * {@code notBeforeMicros} and {@code notAfterMicros}, record timestamp = that time in milliseconds,
     * value = exactly one of {@code frames}.
     */
    static Rule probeRecords(final List<byte[]> frames, final long notBeforeMicros, final long notAfterMicros) {
        final Set<ByteBuffer> known = new HashSet<>();
        frames.forEach(f -> known.add(ByteBuffer.wrap(f)));
        return r -> {
            if (r.key() == null || r.key().length != Long.BYTES) {
                return "key of " + (r.key() == null ? "null" : r.key().length + " bytes") + " (expected: 8)";
            }
            final long micros = ByteBuffer.wrap(r.key()).order(ByteOrder.BIG_ENDIAN).getLong();
            if (micros < notBeforeMicros || micros > notAfterMicros) {
                return "capture time " + micros + " us outside the run (" + notBeforeMicros + " to " + notAfterMicros + ")";
            }
            if (r.timestamp() != Math.floorDiv(micros, 1000L)) {
                return "record timestamp " + r.timestamp() + " ms, key " + micros + " us";
            }
            if (r.value() == null || !known.contains(ByteBuffer.wrap(r.value()))) {
                return "value of " + (r.value() == null ? "null" : r.value().length + " bytes") + " is none of the replayed frames";
            }
            return null;
        };
    }

    /** A record of the probe's synthetic source: the key as for {@link #probeRecords}, a value of {@code size} bytes. */
    static Rule syntheticRecords(final int size, final long notBeforeMicros, final long notAfterMicros) {
        final Rule key = probeRecords(List.of(), notBeforeMicros, notAfterMicros);
        return r -> {
            final String problem = key.check(r);
            if (problem != null && !problem.contains("none of the replayed frames")) {
                return problem;
            }
            return r.value() != null && r.value().length == size ? null
                    : "value of " + (r.value() == null ? "null" : r.value().length + " bytes") + " (expected: " + size + ")";
        };
    }

    /** ProducerPerformance's records: no key, a value of {@code size} random capital letters. */
    static Rule producerPerformanceRecords(final int size) {
        return r -> {
            if (r.key() != null) {
                return "a key of " + r.key().length + " bytes (expected: none)";
            }
            if (r.value() == null || r.value().length != size) {
                return "value of " + (r.value() == null ? "null" : r.value().length + " bytes") + " (expected: " + size + ")";
            }
            for (final byte b : r.value()) {
                if (b < 'A' || b > 'Z') {
                    return "value byte " + b + " is not a capital letter";
                }
            }
            return null;
        };
    }
}
