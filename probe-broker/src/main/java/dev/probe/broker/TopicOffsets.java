package dev.probe.broker;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Watches how many records a topic holds, with one consumer kept open, so that a test can wait for
 * records to arrive (or to start arriving again after a broker fault) without creating a client per
 * look. One thread uses an instance.
 */
public final class TopicOffsets implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions = new ArrayList<>();

    /** Looks up the partitions of {@code topic} at the plaintext listener {@code bootstrap}. */
    public TopicOffsets(final String bootstrap, final String topic) {
        final Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "probe-test-offsets");
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        for (final PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
    }

    /**
     * The records in the topic now (end less start offset, summed over partitions), or -1 when the
     * broker did not answer within {@code timeout} (it is down or paused).
     */
    public long records(final Duration timeout) {
        try {
            final Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            final Map<TopicPartition, Long> start = consumer.beginningOffsets(partitions, timeout);
            long total = 0;
            for (final TopicPartition tp : partitions) {
                total += end.get(tp) - start.get(tp);
            }
            return total;
        } catch (KafkaException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
