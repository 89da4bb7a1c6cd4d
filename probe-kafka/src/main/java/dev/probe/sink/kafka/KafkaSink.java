package dev.probe.sink.kafka;

import dev.probe.api.ProbeException;
import dev.probe.spi.PacketBatch;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkCounters;
import dev.probe.spi.SinkFailure;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link Sink} that writes each frame to Kafka as its own record (layout in
 * {@link PacketRecordFormat}), through one {@link KafkaProducer} per instance.
 *
 * <p>One instance per transmit worker: {@link #send}, {@link #available}, {@link #flush} and
 * {@link #close} are called by that worker's thread only; the producer's I/O thread reports outcomes
 * through a single shared {@link Callback}; {@link #counters()} is read by any thread.
 *
 * <p>The client's send queue is bounded three ways. {@link #available()} keeps at most
 * {@code max-in-flight} packets unacknowledged, and returns 0 while the client's free buffer (its
 * {@code buffer-available-bytes} metric) is below {@code buffer-headroom}, so that large frames push
 * back onto the ring instead of filling the buffer. Should the buffer fill anyway,
 * {@code max.block.ms = max-block} bounds how long a send waits for space before the client fails
 * the record as {@link SinkFailure#BUFFER_EXHAUSTED}; {@link #send} then fails the rest of that
 * burst the same way without handing it to the client, so one burst waits at most one
 * {@code max-block}, not one per packet. Nothing is ever thrown out of {@link #send}: every packet
 * is counted as sent and then as delivered or failed.
 */
public final class KafkaSink implements Sink {
    private static final int OPEN = 0;
    private static final int CLOSING = 1;
    private static final int CLOSED = 2;
    private static final long FLUSH_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    private static final long STARTUP_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final Duration GRACEFUL_CLOSE = Duration.ofSeconds(1);
    private static final Duration TOPIC_CHECK = Duration.ofSeconds(5);
    private static final String BUFFER_AVAILABLE_METRIC = "buffer-available-bytes";
    private static final String PRODUCER_METRICS = "producer-metrics";

    private final String workerName;
    private final String topic;
    private final int maxInFlight;
    private final long bufferHeadroom;
    /** The producer's free buffer in bytes; null when the check is off or the client does not report it. */
    private final Metric bufferAvailable;
    private final Producer<byte[], byte[]> producer;
    private final SinkCounters counters = new SinkCounters();
    private final Callback outcome = new Outcome();
    private final AtomicInteger state = new AtomicInteger(OPEN);
    private final AtomicBoolean flushing = new AtomicBoolean();

    private KafkaSink(final String workerName, final KafkaSinkSettings settings, final Producer<byte[], byte[]> producer) {
        this.workerName = workerName;
        this.topic = settings.topic();
        this.maxInFlight = settings.maxInFlight();
        this.bufferHeadroom = settings.bufferHeadroom();
        this.bufferAvailable = settings.bufferHeadroom() > 0
                ? metric(producer, BUFFER_AVAILABLE_METRIC, PRODUCER_METRICS) : null;
        this.producer = producer;
    }

    /**
     * Creates the sink of one transmit worker and waits, up to {@code startup-timeout}, until the
     * cluster has answered and the topic's partitions are known, so that the first sends do not wait
     * for metadata. Called on the main thread at start-up.
     *
     * @param settings validated settings
     * @param workerName the worker's role name; the client id is {@code probe-<workerName>}
     * @throws ProbeException when the cluster does not answer or the topic does not exist in time
     */
    public static KafkaSink open(final KafkaSinkSettings settings, final String workerName) {
        // max.block.ms is fixed when the producer is built. It is built with max-block straight away,
        // so that no later send can block longer, and start-up waits for metadata with a loop of
        // partitionsFor calls (each bounded by max-block) until startup-timeout. Building a second
        // producer after warming up a first would fetch metadata again; AdminClient metadata does not
        // warm the producer's own cache; and the loop also lets a broker create the topic on first use.
        final Producer<byte[], byte[]> producer;
        try {
            producer = new KafkaProducer<>(settings.producerProperties(workerName, settings.maxBlock()),
                    new ByteArraySerializer(), new ByteArraySerializer());
        } catch (KafkaException e) {
            final String message = rootMessage(e);
            throw new ProbeException("Kafka producer for " + workerName + " could not be created: " + message + " ("
                    + (message.contains("bootstrap") ? KafkaSinkSettings.BOOTSTRAP_PATH : KafkaSinkSettings.PRODUCER_PATH)
                    + ")", e);
        }
        try {
            awaitPartitions(producer, settings, workerName);
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
        return new KafkaSink(workerName, settings, producer);
    }

    private static void awaitPartitions(final Producer<byte[], byte[]> producer, final KafkaSinkSettings settings,
                                        final String workerName) {
        final long deadline = System.nanoTime() + settings.startupTimeout().toNanos();
        while (true) {
            try {
                final List<?> partitions = producer.partitionsFor(settings.topic());
                if (!partitions.isEmpty()) {
                    return;
                }
            } catch (TimeoutException e) {
                // metadata not there yet: the producer keeps fetching it in the background
            } catch (KafkaException e) {
                throw new ProbeException("Kafka at " + settings.bootstrapServers() + " refused topic "
                        + settings.topic() + ": " + rootMessage(e) + " (" + KafkaSinkSettings.TOPIC_PATH + ")", e);
            }
            if (System.nanoTime() - deadline >= 0) {
                throw startupFailure(producer, settings, workerName);
            }
            LockSupport.parkNanos(STARTUP_RETRY_NANOS);
        }
    }

    /** Tells an unreachable cluster from a missing topic: did the cluster send any response at all? */
    private static ProbeException startupFailure(final Producer<byte[], byte[]> producer,
                                                 final KafkaSinkSettings settings, final String workerName) {
        final String within = " within " + humanDuration(settings.startupTimeout());
        if (responsesReceived(producer) <= 0) {
            return new ProbeException("Kafka at " + settings.bootstrapServers() + " did not answer" + within
                    + " (" + KafkaSinkSettings.BOOTSTRAP_PATH + ")");
        }
        try (Admin admin = Admin.create(settings.adminProperties("probe-" + workerName + "-check"))) {
            admin.describeTopics(List.of(settings.topic())).allTopicNames()
                    .get(TOPIC_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return new ProbeException("Topic " + settings.topic() + " does not exist at Kafka at "
                        + settings.bootstrapServers() + " and was not created" + within
                        + " (" + KafkaSinkSettings.TOPIC_PATH + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.TimeoutException | KafkaException e) {
            // fall through to the general message
        }
        return new ProbeException("Topic " + settings.topic() + " at Kafka at " + settings.bootstrapServers()
                + " had no partition leaders" + within + " (" + KafkaSinkSettings.TOPIC_PATH + ")");
    }

    private static double responsesReceived(final Producer<byte[], byte[]> producer) {
        final Metric responses = metric(producer, "response-total", PRODUCER_METRICS);
        return responses != null && responses.metricValue() instanceof Number n ? n.doubleValue() : 0;
    }

    /** The client-wide metric {@code name} of {@code group}, or null when the client has none such. */
    private static Metric metric(final Producer<byte[], byte[]> producer, final String name, final String group) {
        for (final Map.Entry<MetricName, ? extends Metric> e : producer.metrics().entrySet()) {
            if (e.getKey().name().equals(name) && e.getKey().group().equals(group)) {
                return e.getValue();
            }
        }
        return null;
    }

    /**
     * {@inheritDoc} {@code max-in-flight} less the packets in flight, but 0 while packets are in
     * flight and the client's free buffer ({@code buffer-available-bytes}, read once per call) is
     * below {@code buffer-headroom}. With nothing in flight the buffer is not consulted: every batch
     * has completed, and the client returns a batch's memory right after its callbacks, which is
     * what {@code max-block} waits for should a send come first. Never negative; 0 once closed.
     */
    @Override
    public int available() {
        if (state.get() != OPEN) {
            return 0;
        }
        final long inFlight = counters.inFlight();
        final long room = maxInFlight - inFlight;
        if (room <= 0 || inFlight > 0 && bufferLow()) {
            return 0;
        }
        return (int) room;
    }

    private boolean bufferLow() {
        return bufferAvailable != null && bufferAvailable.metricValue() instanceof Number free
                && free.doubleValue() < bufferHeadroom;
    }

    /**
     * {@inheritDoc} Copies each frame into a new array and hands it to the producer with the shared
     * callback. A send the client refuses synchronously (an exception out of
     * {@link Producer#send}) is counted as {@link SinkFailure#OTHER}; after {@link #close()} every
     * packet is counted as {@link SinkFailure#SHUTDOWN}.
     *
     * <p>A record that finds no buffer space within {@code max-block} is failed by the client as
     * {@link SinkFailure#BUFFER_EXHAUSTED}, through the callback on this thread before
     * {@link Producer#send} returns. The first such record ends the burst: its remaining packets are
     * counted as {@link SinkFailure#BUFFER_EXHAUSTED} without being handed to the client, so that a
     * full buffer costs one burst at most one {@code max-block} rather than one per packet.
     */
    @Override
    public void send(final PacketBatch batch) {
        final int n = batch.size();
        if (n == 0) {
            return;
        }
        counters.onSent(n);
        if (state.get() != OPEN) {
            counters.onFailed(SinkFailure.SHUTDOWN, n);
            return;
        }
        // Only this thread counts BUFFER_EXHAUSTED: the client raises BufferExhaustedException while
        // allocating inside send() and reports it through the callback before send() returns; failures
        // from the I/O thread are never of that kind. So a change in the count is this burst's doing.
        final long exhausted = counters.failed(SinkFailure.BUFFER_EXHAUSTED);
        for (int i = 0; i < n; i++) {
            try {
                producer.send(record(batch, i), outcome);
            } catch (RuntimeException e) {
                counters.onFailed(SinkFailure.OTHER, 1, e);
            }
            if (counters.failed(SinkFailure.BUFFER_EXHAUSTED) != exhausted) {
                counters.onFailed(SinkFailure.BUFFER_EXHAUSTED, n - i - 1);
                return;
            }
        }
    }

    private ProducerRecord<byte[], byte[]> record(final PacketBatch batch, final int i) {
        final int captured = batch.capturedLength(i);
        final int wire = batch.wireLength(i);
        final long micros = batch.timestampMicros(i);
        final byte[] value = new byte[captured];
        batch.copyTo(i, value, 0);
        final RecordHeaders headers = captured < wire
                ? new RecordHeaders(new Header[] {new RecordHeader(PacketRecordFormat.WIRE_LENGTH_HEADER,
                        PacketRecordFormat.wireLength(wire))})
                : null;
        return new ProducerRecord<>(topic, null, Math.floorDiv(micros, 1_000L), PacketRecordFormat.key(micros),
                value, headers);
    }

    /**
     * {@inheritDoc} {@link Producer#flush()} cannot be bounded, so it runs on a short-lived virtual
     * thread (it makes lingering batches sendable at once) while this thread polls the counters until
     * nothing is in flight or {@code timeout} has passed. A flush thread left waiting past the timeout
     * ends when its records are delivered, fail ({@code delivery.timeout.ms}) or the sink is closed.
     */
    @Override
    public boolean flush(final Duration timeout) {
        if (counters.inFlight() == 0) {
            return true;
        }
        if (state.get() == OPEN && flushing.compareAndSet(false, true)) {
            Thread.ofVirtual().name("probe-" + workerName + "-flush").start(() -> {
                try {
                    producer.flush();
                } catch (RuntimeException e) {
                    // closed meanwhile or interrupted: the counters tell what happened
                } finally {
                    flushing.set(false);
                }
            });
        }
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (counters.inFlight() > 0) {
            final long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            LockSupport.parkNanos(Math.min(left, FLUSH_PARK_NANOS));
        }
        return true;
    }

    /** {@inheritDoc} Written by this sink's worker and the producer's I/O thread. */
    @Override
    public SinkCounters counters() {
        return counters;
    }

    /**
     * {@inheritDoc} Does not wait for deliveries (that is {@link #flush}'s job): with packets in flight
     * the producer is closed at once, which fails its pending records; those failures, and anything
     * still unaccounted once its I/O thread has stopped, are counted as {@link SinkFailure#SHUTDOWN},
     * each packet exactly once, so that afterwards {@code sent == delivered + failed}.
     */
    @Override
    public void close() {
        if (!state.compareAndSet(OPEN, CLOSING)) {
            return;
        }
        try {
            // While CLOSING the callback still counts deliveries, and counts every failure as SHUTDOWN.
            producer.close(counters.inFlight() == 0 ? GRACEFUL_CLOSE : Duration.ZERO);
        } catch (RuntimeException e) {
            // nothing more to do with a producer that failed to close
        }
        // close() joined the producer's I/O thread, so no callback runs any more; any that did would
        // now count nothing, which keeps the remainder below exact.
        state.set(CLOSED);
        final long left = counters.inFlight();
        if (left > 0) {
            counters.onFailed(SinkFailure.SHUTDOWN, (int) Math.min(Integer.MAX_VALUE, left));
        }
    }

    /** Maps a failed record's exception to its counter. */
    static SinkFailure classify(final Exception e) {
        // BufferExhaustedException is a TimeoutException: test it first.
        if (e instanceof BufferExhaustedException) {
            return SinkFailure.BUFFER_EXHAUSTED;
        }
        if (e instanceof TimeoutException) {
            return SinkFailure.TIMEOUT;
        }
        if (e instanceof RecordTooLargeException) {
            return SinkFailure.RECORD_TOO_LARGE;
        }
        return SinkFailure.OTHER;
    }

    static String humanDuration(final Duration d) {
        final long ms = d.toMillis();
        return ms % 1_000 == 0 ? ms / 1_000 + "s" : ms + "ms";
    }

    private static String rootMessage(final Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        final String m = root.getMessage();
        return m == null ? root.getClass().getSimpleName() : m.replace('\n', ' ');
    }

    /** The one callback of this sink: counts each record's outcome without allocating. */
    private final class Outcome implements Callback {
        @Override
        public void onCompletion(final RecordMetadata metadata, final Exception exception) {
            final int s = state.get();
            if (s == CLOSED) {
                return;
            }
            if (exception == null) {
                counters.onDelivered(1, Math.max(0, metadata.serializedValueSize()));
            } else {
                counters.onFailed(s == CLOSING ? SinkFailure.SHUTDOWN : classify(exception), 1, exception);
            }
        }
    }
}
