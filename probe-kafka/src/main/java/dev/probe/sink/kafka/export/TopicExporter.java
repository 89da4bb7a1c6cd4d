package dev.probe.sink.kafka.export;

import dev.probe.api.LinkType;
import dev.probe.api.ProbeException;
import dev.probe.file.format.CaptureFormat;
import dev.probe.file.format.CaptureWriter;
import dev.probe.sink.kafka.PacketRecordFormat;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reads the frames the Kafka sink wrote to a topic and writes them as a libpcap file: the reverse of
 * {@link dev.probe.sink.kafka.KafkaSink}. Timestamps come from the key (8-byte big-endian
 * microseconds), the captured length from the value, the wire length from the {@code wire-length}
 * header when present, the link type from the {@code link-type} header (Ethernet without one).
 *
 * <p><b>Where it stops.</b> It assigns itself every partition of the topic (no consumer group,
 * nothing committed) and takes each partition's end offset when it starts. Reading from the beginning,
 * it stops as soon as every partition has been read up to that offset: records written after the start
 * are not exported, and no idle time is waited out. The idle timeout only guards against a cluster that
 * stops answering, which is an error. Reading from the end, it follows new records until
 * {@code maxPackets} or until none has arrived for the idle timeout.
 *
 * <p><b>Link types.</b> A pcap file holds frames of one link type. Without a selected link type, the
 * first record's fixes the file's, and a record of another link type ends the export with an error
 * that names both and how to export each ({@link ExportOptions#linkType()}).
 *
 * <p><b>Order.</b> Without sorting, records of one partition are written in offset order and partitions
 * are interleaved as the consumer returns them. With sorting, every packet is written in capture-time
 * order, with bounded memory (see {@link ExternalSort}).
 *
 * <p>Runs on the calling thread; an {@link ExportStop} requested from another thread (a signal handler)
 * ends it as if the end had been reached, with what was read so far.
 */
public final class TopicExporter {
    private static final Duration POLL = Duration.ofMillis(100);
    /** Classic pcap with microsecond time stamps: the key's resolution, and what every reader opens. */
    private static final CaptureFormat FORMAT = CaptureFormat.PCAP_MICROS;

    private TopicExporter() {
    }

    /** {@link #export(ExportOptions, ExportProgress, ExportStop)} without progress or stop. */
    public static ExportResult export(final ExportOptions options) {
        return export(options, ExportProgress.NONE, new ExportStop());
    }

    /**
     * Exports to {@link ExportOptions#output()}: standard output for {@code "-"} (flushed, not closed),
     * or a file, created with mode 0600 since it holds packets. A regular file is written under a
     * temporary name beside it and renamed at the end, replacing an older one; when the export fails
     * after packets were written, they are kept under the file's name and the error says how many.
     * A file that exists and is not a regular file (a named pipe, a device) is written in place.
     *
     * @throws ProbeException when the file cannot be written, the cluster does not answer, the topic
     *         does not exist, or the topic mixes link types
     */
    public static ExportResult export(final ExportOptions options, final ExportProgress progress, final ExportStop stop) {
        if (options.output().equals("-")) {
            return export(options, System.out, progress, stop);
        }
        final Path target = Path.of(options.output()).toAbsolutePath();
        final ExportOptions withTemp = options.tempDirectory() != null || target.getParent() == null ? options
                : options.withTempDirectory(target.getParent());
        if (Files.exists(target) && !Files.isRegularFile(target)) {
            try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.WRITE)) {
                return export(withTemp, out, progress, stop);
            } catch (IOException e) {
                throw new ProbeException("Cannot write " + target + ": " + e.getMessage() + " (--output)", e);
            }
        }
        final Path temp = target.resolveSibling("." + target.getFileName() + ".partial-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (IOException e) {
            throw new ProbeException("Cannot write " + target + ": " + e.getMessage() + " (--output)", e);
        }
        boolean kept = false;
        try {
            final ExportResult result;
            try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.WRITE)) {
                result = export(withTemp, out, progress, stop);
            } catch (ProbeException e) {
                if (Files.size(temp) > 0) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    kept = true;
                }
                throw e;
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            kept = true;
            return result;
        } catch (IOException e) {
            throw new ProbeException("Cannot write " + target + ": " + e.getMessage() + " (--output)", e);
        } finally {
            if (!kept) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    // the error being reported matters more than a leftover temporary file
                }
            }
        }
    }

    /** {@link #export(ExportOptions, OutputStream, ExportProgress, ExportStop)} without progress or stop. */
    public static ExportResult export(final ExportOptions options, final OutputStream out) {
        return export(options, out, ExportProgress.NONE, new ExportStop());
    }

    /**
     * Exports to {@code out}, which is flushed but not closed. The pcap header is written with the first
     * packet (its link type known), or at the end when there is none.
     *
     * @return what was written and skipped
     * @throws ProbeException when {@code out} fails, the cluster does not answer within the idle timeout,
     *         the topic does not exist, the filter does not compile, or the topic mixes link types
     */
    public static ExportResult export(final ExportOptions options, final OutputStream out, final ExportProgress progress,
                                      final ExportStop stop) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(options),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
             Export export = new Export(options, out, progress, stop)) {
            return export.run(consumer);
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
        } finally {
            progress.done();
        }
    }

    /** One export's state. */
    private static final class Export implements AutoCloseable {
        private final ExportOptions options;
        private final OutputStream out;
        private final ExportProgress progress;
        private final ExportStop stop;
        private final ExternalSort sort;
        private CaptureWriter writer;
        private BpfFilter filter;
        private int linkType;
        private String firstAt;
        private long read;
        private long accepted;
        private long written;
        private long skipped;
        private long otherLinkType;
        private long filtered;

        Export(final ExportOptions options, final OutputStream out, final ExportProgress progress, final ExportStop stop) {
            this.options = options;
            this.out = out;
            this.progress = progress;
            this.stop = stop;
            this.sort = options.sort() ? new ExternalSort(options.sortMemoryBytes(), options.tempDirectory() != null
                    ? options.tempDirectory() : Path.of(System.getProperty("java.io.tmpdir"))) : null;
            this.linkType = options.linkType();
            if (linkType != 0) {
                compileFilter();
            }
        }

        ExportResult run(final KafkaConsumer<byte[], byte[]> consumer) throws IOException {
            final Duration timeout = options.idleTimeout();
            final List<TopicPartition> partitions = partitions(consumer, options);
            consumer.assign(partitions);
            final Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            final boolean following = options.from() == ExportOptions.From.END;
            final Map<TopicPartition, Long> start = following ? end : consumer.beginningOffsets(partitions, timeout);
            final Set<TopicPartition> remaining = new LinkedHashSet<>();
            long toRead = 0;
            for (final TopicPartition tp : partitions) {
                consumer.seek(tp, start.get(tp));
                if (!following && start.get(tp) < end.get(tp)) {
                    remaining.add(tp);
                    toRead += end.get(tp) - start.get(tp);
                }
            }
            final long idleNanos = timeout.toNanos();
            long lastProgress = System.nanoTime();
            long lastPositions = positions(consumer, partitions);
            final long max = options.maxPackets() == 0 ? Long.MAX_VALUE : options.maxPackets();
            boolean full = false;
            while (!full && !stop.requested() && (following || !remaining.isEmpty())) {
                final ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                for (final ConsumerRecord<byte[], byte[]> record : records) {
                    if (!following && record.offset() >= end.get(new TopicPartition(record.topic(), record.partition()))) {
                        continue; // written after the export started
                    }
                    read++;
                    accept(record);
                    if (accepted >= max) {
                        full = true;
                        break;
                    }
                }
                final long now = System.nanoTime();
                if (following) {
                    if (!records.isEmpty()) {
                        lastProgress = now;
                    } else if (now - lastProgress >= idleNanos) {
                        break;
                    }
                } else {
                    remaining.removeIf(tp -> {
                        if (consumer.position(tp, timeout) >= end.get(tp)) {
                            consumer.pause(List.of(tp));
                            return true;
                        }
                        return false;
                    });
                    final long positions = positions(consumer, partitions);
                    if (positions != lastPositions || !records.isEmpty()) {
                        lastPositions = positions;
                        lastProgress = now;
                    } else if (!remaining.isEmpty() && now - lastProgress >= idleNanos) {
                        throw stalled(consumer, remaining, end);
                    }
                }
                progress.update(read, following ? -1 : toRead, accepted);
            }
            finish();
            final Map<Integer, Long> reached = new LinkedHashMap<>();
            for (final TopicPartition tp : partitions) {
                reached.put(tp.partition(), following || full || stop.requested() ? consumer.position(tp, timeout) : end.get(tp));
            }
            return new ExportResult(written, skipped, otherLinkType, filtered, linkType == 0 ? LinkType.ETHERNET : linkType,
                    reached);
        }

        private void accept(final ConsumerRecord<byte[], byte[]> record) throws IOException {
            final byte[] key = record.key();
            final byte[] value = record.value();
            final int type = PacketHeaders.linkType(record.headers());
            if (!PacketRecordFormat.isKey(key) || value == null || type == PacketHeaders.MALFORMED) {
                skipped++;
                return;
            }
            if (options.linkType() != 0 && type != options.linkType()) {
                otherLinkType++;
                return;
            }
            if (linkType == 0) {
                linkType = type;
                firstAt = "partition " + record.partition() + ", offset " + record.offset();
                compileFilter();
            } else if (type != linkType) {
                throw new ProbeException("Topic " + options.topic() + " holds frames of more than one link type, "
                        + LinkType.name(linkType) + " (first at " + firstAt + ") and " + LinkType.name(type) + " (at partition "
                        + record.partition() + ", offset " + record.offset() + "), and a pcap file holds one: export each "
                        + "into a file of its own with --link-type " + optionValue(linkType) + " and --link-type "
                        + optionValue(type) + (written > 0 ? " (" + written + " packets were written before)" : ""));
            }
            final long wire = PacketHeaders.wireLength(record.headers(), value.length);
            if (filter != null && !filter.matches(value, wire)) {
                filtered++;
                return;
            }
            final long micros = PacketRecordFormat.epochMicros(key);
            if (micros < 0 || micros > Long.MAX_VALUE / 1_000L || !FORMAT.accepts(micros * 1_000L)) {
                skipped++; // a key no pcap file can hold: before 1970 or after 2106
                return;
            }
            accepted++;
            if (sort != null) {
                sort.add(new ExternalSort.Packet(micros, record.partition(), record.offset(), wire, value));
            } else {
                write(micros, value, wire);
                written++;
            }
        }

        private void finish() throws IOException {
            if (filter == null) {
                compileFilter(); // a filter is checked even when no packet came to test it on
            }
            if (sort != null) {
                sort.drainTo(p -> {
                    write(p.key(), p.data(), p.wireLength());
                    written++;
                });
            }
            writer().flush();
        }

        private void write(final long micros, final byte[] data, final long wireLength) throws IOException {
            writer().write(micros * 1_000L, (int) Math.min(Integer.MAX_VALUE, wireLength), data, 0, data.length);
        }

        private CaptureWriter writer() {
            if (writer == null) {
                writer = CaptureWriter.open(FORMAT, out, linkType == 0 ? LinkType.ETHERNET : linkType);
            }
            return writer;
        }

        private void compileFilter() {
            if (!options.filter().isBlank() && filter == null) {
                filter = BpfFilter.compile(options.filter(), linkType == 0 ? LinkType.ETHERNET : linkType, "-f");
            }
        }

        private ProbeException stalled(final KafkaConsumer<byte[], byte[]> consumer, final Set<TopicPartition> remaining,
                                       final Map<TopicPartition, Long> end) {
            final TopicPartition tp = remaining.iterator().next();
            return new ProbeException("Kafka at " + options.bootstrapServers() + " stopped answering: no record for "
                    + options.idleTimeout().toMillis() + "ms while partition " + tp.partition() + " of topic "
                    + options.topic() + " still has records up to offset " + end.get(tp) + " (read up to "
                    + consumer.position(tp, options.idleTimeout()) + "); " + written + " packets written (--timeout)");
        }

        @Override
        public void close() {
            try {
                if (filter != null) {
                    filter.close();
                }
            } finally {
                if (sort != null) {
                    sort.close();
                }
            }
        }
    }

    private static String optionValue(final int linkType) {
        final String name = LinkType.name(linkType);
        return name.startsWith("link type ") ? String.valueOf(linkType) : name;
    }

    private static long positions(final KafkaConsumer<byte[], byte[]> consumer, final List<TopicPartition> partitions) {
        long sum = 0;
        for (final TopicPartition tp : partitions) {
            sum += consumer.position(tp);
        }
        return sum;
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
                    + options.bootstrapServers() + " (--topic)");
        }
        final List<TopicPartition> partitions = new ArrayList<>();
        infos.stream().map(p -> new TopicPartition(p.topic(), p.partition()))
                .sorted(Comparator.comparingInt(TopicPartition::partition)).forEach(partitions::add);
        return partitions;
    }

    private static Properties consumerProperties(final ExportOptions options) {
        final Properties props = new Properties();
        props.putAll(options.consumer());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "probe-export");
        // Records deleted by retention while the export runs are skipped, never the rest of the partition.
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                options.from() == ExportOptions.From.BEGINNING ? "earliest" : "latest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }
}
