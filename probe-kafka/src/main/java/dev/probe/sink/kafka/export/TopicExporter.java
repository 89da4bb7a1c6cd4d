package dev.probe.sink.kafka.export;

import dev.probe.api.ProbeException;
import dev.probe.sink.kafka.PacketRecordFormat;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;

/**
 * Reads the frames the Kafka sink wrote to a topic and writes them as a libpcap file: the reverse of
 * {@link dev.probe.sink.kafka.KafkaSink}. Timestamps come from the key (8-byte big-endian
 * microseconds), the captured length from the value, the wire length from the {@code wire-length}
 * header when present, else the value's length. Records whose key is not 8 bytes, or whose value is
 * null, are skipped and counted.
 *
 * <p>It assigns itself every partition of the topic (no consumer group, nothing committed) and seeks
 * to the beginning or the end. Order: records of one partition are written in offset order; records
 * of different partitions are interleaved as the consumer returns them, not merged by time (merging
 * would need every partition's next record before writing any). Use {@code reordercap} or Wireshark's
 * time sort when a multi-partition export must be in time order.
 *
 * <p>Runs on the calling thread and returns when {@code maxPackets} are written, when no record has
 * arrived for {@code idleTimeout}, or after {@code totalTimeout}.
 */
public final class TopicExporter {
    private static final Duration POLL = Duration.ofMillis(100);

    private TopicExporter() {
    }

    /**
     * Exports to {@link ExportOptions#output()}: a file (created or replaced) or standard output for
     * {@code "-"}, which is flushed but not closed.
     *
     * @throws ProbeException when the file cannot be written, the cluster does not answer or the topic
     *         does not exist
     */
    public static ExportResult export(final ExportOptions options) {
        if (options.output().equals("-")) {
            return export(options, System.out);
        }
        final Path path = Path.of(options.output());
        try (OutputStream out = Files.newOutputStream(path)) {
            return export(options, out);
        } catch (IOException e) {
            throw new ProbeException("Cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Exports to {@code out}, which is flushed but not closed.
     *
     * @return how many packets were written and skipped
     * @throws ProbeException when {@code out} fails, the cluster does not answer within the idle
     *         timeout or the topic does not exist
     */
    public static ExportResult export(final ExportOptions options, final OutputStream out) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(options),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
             PcapWriter pcap = new PcapWriter(out, options.linkType())) {
            final List<TopicPartition> partitions = partitions(consumer, options);
            consumer.assign(partitions);
            if (options.from() == ExportOptions.From.BEGINNING) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            // Seeks are lazy: resolve them now, so that "end" means the end at the start of the export.
            for (final TopicPartition tp : partitions) {
                consumer.position(tp, options.idleTimeout());
            }
            return copy(consumer, pcap, options);
        } catch (IOException e) {
            throw new ProbeException("Cannot write the pcap output: " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new ProbeException("Cannot write the pcap output: " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new ProbeException("Kafka at " + options.bootstrapServers() + " did not answer within "
                    + options.idleTimeout().toMillis() + "ms", e);
        } catch (KafkaException e) {
            throw new ProbeException("Cannot read topic " + options.topic() + " from Kafka at "
                    + options.bootstrapServers() + ": " + String.valueOf(e.getMessage()).replace('\n', ' '), e);
        }
    }

    private static ExportResult copy(final KafkaConsumer<byte[], byte[]> consumer, final PcapWriter pcap,
                                     final ExportOptions options) throws IOException {
        final long start = System.nanoTime();
        final long total = options.totalTimeout().toNanos();
        final long idle = options.idleTimeout().toNanos();
        final long max = options.maxPackets() == 0 ? Long.MAX_VALUE : options.maxPackets();
        long lastRecord = start;
        long written = 0;
        long skipped = 0;
        while (written < max) {
            final long now = System.nanoTime();
            if (now - lastRecord >= idle || (total > 0 && now - start >= total)) {
                break;
            }
            final ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
            if (records.isEmpty()) {
                continue;
            }
            lastRecord = System.nanoTime();
            for (final ConsumerRecord<byte[], byte[]> record : records) {
                if (written == max) {
                    break;
                }
                final byte[] key = record.key();
                final byte[] value = record.value();
                if (!PacketRecordFormat.isKey(key) || value == null) {
                    skipped++;
                    continue;
                }
                pcap.write(PacketRecordFormat.epochMicros(key), value, wireLength(record, value.length));
                written++;
            }
        }
        pcap.flush();
        return new ExportResult(written, skipped);
    }

    private static long wireLength(final ConsumerRecord<byte[], byte[]> record, final int captured) {
        final Header header = record.headers().lastHeader(PacketRecordFormat.WIRE_LENGTH_HEADER);
        if (header == null) {
            return captured;
        }
        final long wire = PacketRecordFormat.wireLength(header.value());
        return wire < 0 ? captured : wire;
    }

    private static List<TopicPartition> partitions(final KafkaConsumer<byte[], byte[]> consumer,
                                                   final ExportOptions options) {
        final List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(options.topic(), options.idleTimeout());
        } catch (KafkaException e) {
            if (e instanceof TimeoutException) {
                throw e;
            }
            throw new ProbeException("Kafka at " + options.bootstrapServers() + " refused topic " + options.topic()
                    + ": " + e.getMessage(), e);
        }
        if (infos == null || infos.isEmpty()) {
            throw new ProbeException("Topic " + options.topic() + " does not exist at Kafka at "
                    + options.bootstrapServers() + " (topic)");
        }
        return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition()))
                .sorted(Comparator.comparingInt(TopicPartition::partition)).toList();
    }

    private static Properties consumerProperties(final ExportOptions options) {
        final Properties props = new Properties();
        props.putAll(options.consumer());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "probe-export");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }
}
