package dev.probe.sink.kafka;

import dev.probe.api.LinkType;
import dev.probe.api.ProbeException;
import dev.probe.spi.PacketBatch;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkContext;
import dev.probe.spi.SinkCounters;
import dev.probe.spi.SinkFailure;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link Sink} that writes each frame to Kafka as its own record (layout in
 * {@link PacketRecordFormat}), through one {@link KafkaProducer} per instance.
 *
 * <h2>Threads</h2>
 * One instance per transmit worker: {@link #available}, {@link #send}, {@link #tick}, {@link #flush}
 * and {@link #close} are called by that worker's thread only (close on the main thread when start-up
 * failed); the producer's I/O thread reports each record's outcome through its callback;
 * {@link #counters()} and {@link #details()} are read by any thread.
 *
 * <h2>Pushback instead of loss</h2>
 * The client's send queue is bounded: {@link #available()} keeps at most {@code max-in-flight} packets
 * unacknowledged, and returns 0 while the client's free buffer is below {@code buffer-headroom}. When
 * the client cannot take a record now (no metadata within {@code max-block}, as during a broker outage,
 * or no buffer within {@code max-block}), it says so through the callback before {@code send} returns.
 * That record is not failed: it and the rest of its burst are copied and kept as pending,
 * {@link #available()} returns 0 so that the worker's ring pushes back, and the pending records are
 * handed to the client first, in order, by later {@link #available()}, {@link #tick()} and
 * {@link #flush} calls. Only once the client has refused every record for longer than
 * {@code delivery.timeout.ms} are the pending ones failed, as {@link SinkFailure#UNAVAILABLE} (or
 * {@link SinkFailure#BUFFER_EXHAUSTED}) with the client's message; from then on each burst is tried
 * once and failed at once if refused, until the client takes a record again. A file replay therefore
 * loses nothing through an outage shorter than {@code delivery.timeout.ms}. A live source gets the same
 * pushback: its ring overflows and counts {@code ring-full}, which is where a live capture's losses
 * belong; failing pending records sooner would move the same losses to another reason and save nothing.
 *
 * <h2>Bounded blocking</h2>
 * Each call to the client blocks at most half of {@code max-block} (the producer's {@code max.block.ms});
 * the first refusal ends the burst, and once the burst's calls have taken the other half (the clock is
 * read after each call) the rest of the burst is kept pending. One {@link #send} therefore blocks at most
 * {@code max-block}, whatever the client does.
 *
 * <h2>Refusals classified at once</h2>
 * A record larger than the topic's {@code max.message.bytes} is counted as
 * {@link SinkFailure#RECORD_TOO_LARGE} without being sent (a batch of several such records would make
 * the client split and retry until its delivery timeout); with {@code record-timestamp = capture} on a
 * {@code CreateTime} topic, a record stamped outside the topic's time window, or older than its
 * {@code retention.ms} (the broker would delete it at once), is counted as
 * {@link SinkFailure#INVALID_TIMESTAMP} without being sent: it cannot take the valid records of its
 * batch with it, and it is not counted as delivered only to vanish. What the broker refuses anyway is
 * counted by its callback under its own reason ({@link ClientErrors#classify}). Nothing is ever thrown out of a sink method: every packet is counted
 * as sent and then as delivered or failed.
 *
 * <h2>No array per record</h2>
 * The client copies a record's key and value into its batch during {@link Producer#send} and keeps no
 * reference to either array once it returns (it keeps the record's headers, until the record completes).
 * So a record handed over at once is built on one reused key array and one reused value array per frame
 * length (up to {@value #MAX_REUSED_LENGTH} bytes); a record kept pending gets arrays of its own. With
 * {@code interceptor.classes} set, since an interceptor may keep the record it is shown, every record
 * gets arrays of its own.
 */
public final class KafkaSink implements Sink {
    private static final int OPEN = 0;
    private static final int CLOSING = 1;
    private static final int CLOSED = 2;
    private static final long FLUSH_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    private static final long STARTUP_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** How soon after a refusal pending records are offered to the client again. */
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /**
     * The least time a burst's client calls may take before the rest of the burst is kept pending, even
     * with a {@code max-block} below 2 ms: far above what handing over a burst takes when the client does
     * not block.
     */
    private static final long BLOCKED_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    /** With room in the client's buffer, the burst's budget is checked every 32 calls (see bufferMayRunShort). */
    private static final int BUDGET_STRIDE_MASK = 31;
    private static final Duration GRACEFUL_CLOSE = Duration.ofSeconds(1);
    private static final String PRODUCER_METRICS = "producer-metrics";
    private static final String BUFFER_AVAILABLE_METRIC = "buffer-available-bytes";
    /** The producer metrics {@link #details()} reports, by name. */
    private static final List<String> GAUGES = List.of("record-send-rate", "request-latency-avg",
            BUFFER_AVAILABLE_METRIC, "record-error-rate", "record-retry-rate");
    private static final String PENDING_GAUGE = "pending-records";
    /** Frames up to this length are copied into a reused value array; longer ones (rare jumbo frames) into a new one. */
    private static final int MAX_REUSED_LENGTH = 16_384;

    /** Outcomes of handing one record to the client. */
    private static final int TAKEN = 0;
    private static final int REFUSED = 1;
    private static final int FAILED_ONE = 2;
    private static final int FAILED_STOP = 3;

    private final String workerName;
    private final String topic;
    private final int maxInFlight;
    private final long bufferHeadroom;
    private final long maxBlockNanos;
    private final long deliveryTimeoutNanos;
    /** The producer's free buffer in bytes; null when the check is off or the client does not report it. */
    private final Metric bufferAvailable;
    private final Map<String, Metric> gauges = new LinkedHashMap<>();
    private final Producer<byte[], byte[]> producer;
    private final SinkCounters counters = new SinkCounters();
    private final AtomicInteger state = new AtomicInteger(OPEN);
    private final AtomicBoolean flushing = new AtomicBoolean();

    /** Whether records carry the capture time as their timestamp (else the producer stamps the send time). */
    private final boolean captureTimestamps;
    /** Whether capture timestamps are checked against the topic's window before sending. */
    private final boolean checkTimestamps;
    private final long beforeMaxMs;
    private final long afterMaxMs;
    /** The topic's {@code retention.ms} when it deletes records by time, else -1. */
    private final long retentionMs;
    private final int maxMessageBytes;
    /** The largest frame whose record fits {@code max.message.bytes}, without and with a wire-length header. */
    private final int largestWhole;
    private final int largestTruncated;
    /** The shared {@code link-type} header of a capture that is not Ethernet, or null. */
    private final Header linkTypeHeader;

    // Worker thread only.
    private final ArrayDeque<Delivery> pending = new ArrayDeque<>();
    /** The key of the record being handed over, or null when every record gets arrays of its own; worker thread only. */
    private final byte[] reusedKey;
    /** Value arrays by frame length, made on first use, or null when every record gets arrays of its own. */
    private final byte[][] reusedValues;
    /** The thread handing records to the client now; callbacks on it for {@link #attempting} are refusals. */
    private Thread sender;
    private Delivery attempting;
    private Exception refusal;
    /** Since when the client refuses records (System.nanoTime), valid while {@link #refusing}. */
    private long refusingSince;
    private long lastRefusal;
    private boolean refusing;
    private Exception lastRefusalCause;
    /** The client refused records for longer than the delivery timeout: bursts are tried once, then failed. */
    private boolean givenUp;
    /** The record timestamp of the last record built, boxed; worker thread only. */
    private Long lastTimestamp;
    /** When the current burst's (or retry's) client calls began, System.nanoTime. */
    private long callsStarted;
    /** How long a burst's client calls may take in all: max-block, at least {@link #BLOCKED_NANOS}. */
    private final long callBudgetNanos;
    /** The producer's batch.size as configured, at least what the client allocates for a new batch. */
    private final long batchSize;
    /** The capture times (ms) the topic takes, as of the current send; checked when {@link #checkTimestamps}. */
    private long windowLow;
    private long windowHigh;
    private volatile int pendingCount;

    private KafkaSink(final KafkaSinkSettings settings, final TopicFacts facts, final SinkContext context,
                      final Producer<byte[], byte[]> producer) {
        this.workerName = context.workerName();
        this.topic = settings.topic();
        this.maxInFlight = settings.maxInFlight();
        this.bufferHeadroom = settings.bufferHeadroom();
        this.maxBlockNanos = settings.maxBlock().toNanos();
        this.callBudgetNanos = Math.max(maxBlockNanos - settings.clientMaxBlock().toNanos(), BLOCKED_NANOS);
        this.batchSize = settings.batchSize();
        this.deliveryTimeoutNanos = settings.deliveryTimeout().toNanos();
        this.producer = producer;
        this.bufferAvailable = settings.bufferHeadroom() > 0 ? metric(producer, BUFFER_AVAILABLE_METRIC) : null;
        for (final String name : GAUGES) {
            final Metric m = metric(producer, name);
            if (m != null) {
                gauges.put(name, m);
            }
        }
        final boolean known = facts.configsKnown();
        this.captureTimestamps = settings.recordTimestamp() == RecordTimestamp.CAPTURE && !(known && facts.logAppendTime());
        this.checkTimestamps = captureTimestamps && known;
        this.beforeMaxMs = facts.beforeMaxMs();
        this.afterMaxMs = facts.afterMaxMs();
        this.retentionMs = facts.deletesByTime() ? facts.retentionMs() : -1;
        this.maxMessageBytes = known ? facts.maxMessageBytes() : Integer.MAX_VALUE;
        this.linkTypeHeader = context.linkType() == LinkType.ETHERNET ? null
                : new RecordHeader(PacketRecordFormat.LINK_TYPE_HEADER, PacketRecordFormat.linkType(context.linkType()));
        this.largestWhole = largestFrame(maxMessageBytes, false, linkTypeHeader != null);
        this.largestTruncated = largestFrame(maxMessageBytes, true, linkTypeHeader != null);
        final boolean reuse = !settings.hasInterceptors();
        this.reusedKey = reuse ? new byte[PacketRecordFormat.KEY_BYTES] : null;
        this.reusedValues = reuse ? new byte[MAX_REUSED_LENGTH + 1][] : null;
    }

    /**
     * Creates the sink of one transmit worker and waits, up to {@code startup-timeout}, until the
     * cluster has answered and the topic's partitions are known, so that the first sends do not wait
     * for metadata. Main thread, at start-up.
     *
     * @param settings validated settings
     * @param facts what the Admin client found; the producer's {@code batch.size} is capped at the
     *        topic's {@code max.message.bytes}
     * @param context the worker; the client id is {@code probe-<workerName>}
     * @throws ProbeException one line naming the setting at fault when the cluster does not answer,
     *         refuses this client, or the topic does not exist in time
     */
    static KafkaSink open(final KafkaSinkSettings settings, final TopicFacts facts, final SinkContext context) {
        // max.block.ms is fixed when the producer is built. It is built with max-block straight away,
        // so that no later send can block longer, and start-up waits for metadata with a loop of
        // partitionsFor calls (each bounded by max-block) until startup-timeout. The loop also lets a
        // broker create the topic on first use.
        final int batchCap = facts.configsKnown() ? facts.maxMessageBytes() : Integer.MAX_VALUE;
        final Producer<byte[], byte[]> producer;
        try {
            producer = new KafkaProducer<>(settings.producerProperties(context.workerName(), batchCap),
                    new ByteArraySerializer(), new ByteArraySerializer());
        } catch (KafkaException e) {
            throw ClientErrors.startupFailure(e, settings);
        }
        try {
            awaitPartitions(producer, settings);
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
        return new KafkaSink(settings, facts, context, producer);
    }

    private static void awaitPartitions(final Producer<byte[], byte[]> producer, final KafkaSinkSettings settings) {
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
                throw ClientErrors.startupFailure(e, settings);
            }
            if (System.nanoTime() - deadline >= 0) {
                throw startupTimeout(producer, settings);
            }
            LockSupport.parkNanos(STARTUP_RETRY_NANOS);
        }
    }

    /** Tells an unreachable cluster from a missing topic: did the cluster send any response at all? */
    private static ProbeException startupTimeout(final Producer<byte[], byte[]> producer, final KafkaSinkSettings settings) {
        final String within = " within " + humanDuration(settings.startupTimeout());
        final Metric responses = metric(producer, "response-total");
        if (!(responses != null && responses.metricValue() instanceof Number n && n.doubleValue() > 0)) {
            return new ProbeException("Kafka at " + settings.bootstrapServers() + " did not answer" + within
                    + " (" + KafkaSinkSettings.BOOTSTRAP_PATH + ")");
        }
        return new ProbeException("Topic " + settings.topic() + " does not exist at Kafka at "
                + settings.bootstrapServers() + " and was not created" + within + " (" + KafkaSinkSettings.TOPIC_PATH + ")");
    }

    /** The client-wide producer metric {@code name}, or null when the client has none such. */
    private static Metric metric(final Producer<byte[], byte[]> producer, final String name) {
        for (final Map.Entry<MetricName, ? extends Metric> e : producer.metrics().entrySet()) {
            if (e.getKey().name().equals(name) && e.getKey().group().equals(PRODUCER_METRICS)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** The largest frame length whose record's upper bound fits {@code limit}. */
    private static int largestFrame(final int limit, final boolean wireLength, final boolean linkType) {
        if (limit == Integer.MAX_VALUE) {
            return Integer.MAX_VALUE;
        }
        int low = -1;
        int high = limit;
        while (high - low > 1) {
            final int mid = (low + high) >>> 1;
            if (PacketRecordFormat.recordUpperBound(mid, wireLength, linkType) <= limit) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /**
     * {@inheritDoc} 0 while records are pending: those are offered to the client again first (at most
     * every 20 ms after a refusal) and the answer is 0 unless that emptied them. Otherwise
     * {@code max-in-flight} less the packets in flight, but 0 while packets are in flight and the
     * client's free buffer ({@code buffer-available-bytes}, read once per call) is below
     * {@code buffer-headroom}. With nothing in flight the buffer is not consulted: every batch has
     * completed, and the client returns a batch's memory right after its callbacks. Never negative;
     * 0 once closed.
     */
    @Override
    public int available() {
        if (state.get() != OPEN) {
            return 0;
        }
        if (!pending.isEmpty()) {
            retryPendingIfDue();
            if (!pending.isEmpty()) {
                return 0;
            }
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
     * {@inheritDoc} Copies each frame into a new record and hands it to the client, pending records
     * first. A refused record ends the burst and is kept with the rest of it (see the class comment);
     * after {@link #close()} every packet is counted as {@link SinkFailure#SHUTDOWN}.
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
        sender = Thread.currentThread();
        callsStarted = System.nanoTime();
        if (checkTimestamps) {
            final long now = System.currentTimeMillis();
            windowLow = retentionMs >= 0 ? Math.max(now - beforeMaxMs, now - retentionMs) : now - beforeMaxMs;
            windowHigh = afterMaxMs > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + afterMaxMs;
        }
        if (!pending.isEmpty()) {
            retryPending();
            if (!pending.isEmpty()) {
                keep(batch, 0);
                return;
            }
        }
        final int budgetStride = bufferMayRunShort(batch) ? 0 : BUDGET_STRIDE_MASK;
        for (int i = 0; i < n; i++) {
            final Delivery d = delivery(batch, i, true);
            if (d == null) {
                continue;
            }
            final int outcome = offer(d);
            if (outcome == TAKEN || outcome == FAILED_ONE) {
                if (i + 1 < n && ((i + 1) & budgetStride) == 0 && overBudget()) {
                    keep(batch, i + 1);
                    return;
                }
                continue;
            }
            if (outcome == REFUSED) {
                if (givenUp) {
                    failRefused(d, batch, i + 1);
                    return;
                }
                d.ownArrays();
                pending.add(d);
            }
            keep(batch, i + 1);
            giveUpIfTooLong();
            return;
        }
    }

    /** Fails {@code refused} and the rest of the burst from {@code from}, the destination having been given up on. */
    private void failRefused(final Delivery refused, final PacketBatch batch, final int from) {
        final SinkFailure reason = refusalReason();
        if (refused.complete()) {
            counters.onFailed(reason, 1, lastRefusalCause);
        }
        for (int j = from; j < batch.size(); j++) {
            final Delivery d = delivery(batch, j, true);
            if (d != null && d.complete()) {
                counters.onFailed(reason, 1, lastRefusalCause);
            }
        }
    }

    /** Keeps copies of packets {@code from..} of {@code batch} as pending, behind those already pending. */
    private void keep(final PacketBatch batch, final int from) {
        for (int j = from; j < batch.size(); j++) {
            final Delivery d = delivery(batch, j, false);
            if (d != null) {
                pending.add(d);
            }
        }
        pendingCount = pending.size();
    }

    /** Offers the pending records again if the last refusal is at least {@link #RETRY_NANOS} old. */
    private void retryPendingIfDue() {
        if (!refusing || System.nanoTime() - lastRefusal >= RETRY_NANOS) {
            sender = Thread.currentThread();
            callsStarted = System.nanoTime();
            retryPending();
        }
    }

    /** Hands pending records to the client in order until one is refused; gives up on them after the delivery timeout. */
    private void retryPending() {
        while (!pending.isEmpty()) {
            final int outcome = offer(pending.peekFirst());
            if (outcome == REFUSED) {
                break;
            }
            pending.pollFirst();
            if (outcome == FAILED_STOP || overBudget()) {
                break;
            }
        }
        pendingCount = pending.size();
        giveUpIfTooLong();
    }

    /** When the client has refused records for longer than the delivery timeout, fails what is pending. */
    private void giveUpIfTooLong() {
        if (!refusing || pending.isEmpty() || System.nanoTime() - refusingSince < deliveryTimeoutNanos) {
            return;
        }
        givenUp = true;
        final SinkFailure reason = refusalReason();
        int failed = 0;
        for (final Delivery d : pending) {
            if (d.complete()) {
                failed++;
            }
        }
        pending.clear();
        pendingCount = 0;
        counters.onFailed(reason, failed, "not taken for " + humanDuration(Duration.ofNanos(deliveryTimeoutNanos))
                + " (delivery.timeout.ms): " + SinkCounters.describe(lastRefusalCause));
    }

    private SinkFailure refusalReason() {
        final SinkFailure reason = lastRefusalCause == null ? SinkFailure.UNAVAILABLE : ClientErrors.classify(lastRefusalCause);
        return reason == SinkFailure.TIMEOUT ? SinkFailure.UNAVAILABLE : reason;
    }

    /**
     * Hands {@code d} to the client: {@link #TAKEN}; {@link #REFUSED} for "not now" (kept by the
     * caller); {@link #FAILED_ONE} when this record alone failed (counted); {@link #FAILED_STOP} when the
     * destination refused it for good (counted) and the burst should end.
     */
    private int offer(final Delivery d) {
        attempting = d;
        refusal = null;
        try {
            producer.send(d.record, d);
        } catch (RuntimeException e) {
            // Thrown rather than reported: the client is closed or broken, and says so for each record.
            attempting = null;
            if (d.complete()) {
                counters.onFailed(ClientErrors.classify(e), 1, e);
            }
            return FAILED_ONE;
        }
        attempting = null;
        final Exception e = refusal;
        if (e == null) {
            d.record = null;
            refusing = false;
            givenUp = false;
            return TAKEN;
        }
        refusal = null;
        if (ClientErrors.isTransient(e)) {
            noteRefusal(e);
            return REFUSED;
        }
        if (d.complete()) {
            counters.onFailed(ClientErrors.classify(e), 1, e);
        }
        if (ClientErrors.concernsOneRecord(e)) {
            return FAILED_ONE;
        }
        noteRefusal(e);
        return FAILED_STOP;
    }

    /**
     * Whether the client's free buffer may run short during this burst, so that a call may wait for room:
     * unless it holds every record of the burst at its largest and two new batches besides, the budget is
     * checked after every call. Otherwise only the topic's metadata can make a call wait, and such a wait
     * either ends in a refusal, which ends the burst, or brings the metadata every later call needs: the
     * budget is then checked every {@code BUDGET_STRIDE_MASK + 1} calls, which saves a clock read per
     * record. Reads the buffer-available-bytes metric once.
     */
    private boolean bufferMayRunShort(final PacketBatch batch) {
        if (bufferAvailable == null) {
            return true;
        }
        long need = 2 * batchSize;
        for (int i = 0; i < batch.size(); i++) {
            need += PacketRecordFormat.recordUpperBound(batch.capturedLength(i), true, true);
        }
        return !(bufferAvailable.metricValue() instanceof Number free) || free.doubleValue() < need;
    }

    /** Whether the client calls of this burst (or retry) have taken their budget: the rest waits. */
    private boolean overBudget() {
        return System.nanoTime() - callsStarted >= callBudgetNanos;
    }

    private void noteRefusal(final Exception e) {
        final long now = System.nanoTime();
        if (!refusing) {
            refusing = true;
            refusingSince = now;
        }
        lastRefusal = now;
        lastRefusalCause = e;
    }

    /**
     * The record of packet {@code i} with its callback, or null when a pre-check failed it (counted):
     * too large for the topic, or a capture time the topic would refuse.
     *
     * @param handOverNow whether the record is given to the client before the next one is built, so that
     *        it may use the reused arrays; false for a record kept pending, which gets arrays of its own
     */
    private Delivery delivery(final PacketBatch batch, final int i, final boolean handOverNow) {
        final int captured = batch.capturedLength(i);
        final int wire = batch.wireLength(i);
        final boolean truncated = captured < wire;
        if (captured > (truncated ? largestTruncated : largestWhole)) {
            tooLarge(captured, truncated);
            return null;
        }
        final long micros = batch.timestampMicros(i);
        final long millis = Math.floorDiv(micros, 1_000L);
        Long timestamp = null;
        if (captureTimestamps) {
            if (millis < 0 || checkTimestamps && (millis < windowLow || millis > windowHigh)) {
                outsideWindow(millis);
                return null;
            }
            if (lastTimestamp == null || lastTimestamp != millis) {
                lastTimestamp = millis; // boxed once per millisecond: the packets of a burst mostly share one
            }
            timestamp = lastTimestamp;
        }
        final boolean reuse = handOverNow && reusedKey != null;
        final byte[] value = reuse ? reusedValue(captured) : new byte[captured];
        batch.copyTo(i, value, 0);
        final byte[] key;
        if (reuse) {
            PacketRecordFormat.key(micros, reusedKey);
            key = reusedKey;
        } else {
            key = PacketRecordFormat.key(micros);
        }
        final RecordHeaders headers;
        if (truncated && linkTypeHeader != null) {
            headers = new RecordHeaders(new Header[] {wireLengthHeader(wire), linkTypeHeader});
        } else if (truncated) {
            headers = new RecordHeaders(new Header[] {wireLengthHeader(wire)});
        } else if (linkTypeHeader != null) {
            headers = new RecordHeaders(new Header[] {linkTypeHeader});
        } else {
            headers = null;
        }
        return new Delivery(new ProducerRecord<>(topic, null, timestamp, key, value, headers), captured);
    }

    /** The reused array for a value of {@code length} bytes, or a new one above {@link #MAX_REUSED_LENGTH}. */
    private byte[] reusedValue(final int length) {
        if (length > MAX_REUSED_LENGTH) {
            return new byte[length];
        }
        byte[] value = reusedValues[length];
        if (value == null) {
            value = new byte[length];
            reusedValues[length] = value;
        }
        return value;
    }

    /** Whether records handed over at once are built on reused arrays (no interceptor is configured). */
    boolean reusesArrays() {
        return reusedKey != null;
    }

    /**
     * Overwrites the reused key and value arrays with {@code fill}: for the test that proves the client
     * copied every record during {@link Producer#send}. Worker thread only, between sends.
     */
    void overwriteReusedArrays(final byte fill) {
        if (reusedKey != null) {
            java.util.Arrays.fill(reusedKey, fill);
            for (final byte[] value : reusedValues) {
                if (value != null) {
                    java.util.Arrays.fill(value, fill);
                }
            }
        }
    }

    private static Header wireLengthHeader(final int wire) {
        return new RecordHeader(PacketRecordFormat.WIRE_LENGTH_HEADER, PacketRecordFormat.wireLength(wire));
    }

    private void tooLarge(final int captured, final boolean truncated) {
        if (counters.firstError(SinkFailure.RECORD_TOO_LARGE) != null) {
            counters.onFailed(SinkFailure.RECORD_TOO_LARGE, 1);
            return;
        }
        counters.onFailed(SinkFailure.RECORD_TOO_LARGE, 1, "a " + captured + "-byte frame makes a record of up to "
                + PacketRecordFormat.recordUpperBound(captured, truncated, linkTypeHeader != null) + " bytes, above the "
                + maxMessageBytes + " bytes topic " + topic + " takes (its max.message.bytes)");
    }

    private void outsideWindow(final long millis) {
        if (counters.firstError(SinkFailure.INVALID_TIMESTAMP) != null) {
            counters.onFailed(SinkFailure.INVALID_TIMESTAMP, 1);
            return;
        }
        final String what;
        if (millis < 0) {
            what = "is before 1970, which a Kafka record cannot carry";
        } else if (millis > windowHigh) {
            what = "is more than " + TopicFacts.human(afterMaxMs) + " ahead, which topic " + topic
                    + " refuses (message.timestamp.after.max.ms " + afterMaxMs + ")";
        } else if (retentionMs >= 0 && retentionMs <= beforeMaxMs) {
            what = "is more than " + TopicFacts.human(retentionMs) + " ago, so topic " + topic
                    + " would delete the record at once (retention.ms " + retentionMs + ")";
        } else {
            what = "is more than " + TopicFacts.human(beforeMaxMs) + " ago, which topic " + topic
                    + " refuses (message.timestamp.before.max.ms " + beforeMaxMs + ")";
        }
        counters.onFailed(SinkFailure.INVALID_TIMESTAMP, 1, "capture time " + Instant.ofEpochMilli(millis) + " " + what
                + "; " + KafkaSinkSettings.RECORD_TIMESTAMP_PATH + " = send stamps records with their send time");
    }

    /** {@inheritDoc} Offers pending records to the client again when a retry is due. */
    @Override
    public void tick() {
        if (state.get() == OPEN && !pending.isEmpty()) {
            retryPendingIfDue();
        }
    }

    /**
     * {@inheritDoc} Offers pending records to the client again (every 20 ms while it refuses them), and
     * makes lingering batches sendable at once with {@link Producer#flush()}, which cannot be bounded:
     * it runs on a short-lived virtual thread while this thread polls the counters until nothing is in
     * flight or {@code timeout} has passed. A flush thread left waiting past the timeout ends when its
     * records are delivered, fail ({@code delivery.timeout.ms}) or the sink is closed.
     */
    @Override
    public boolean flush(final Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        boolean flushed = false;
        while (counters.inFlight() > 0) {
            if (state.get() == OPEN) {
                final int before = pending.size();
                if (before > 0) {
                    retryPendingIfDue();
                }
                if (!flushed || pending.size() < before) {
                    flushClient();
                    flushed = true;
                }
            }
            final long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            LockSupport.parkNanos(Math.min(left, FLUSH_PARK_NANOS));
        }
        // Let the client's flush end too: while it is in progress the client sends new records at once,
        // without lingering. It ends right after the last callback.
        while (flushing.get() && deadline - System.nanoTime() > 0) {
            LockSupport.parkNanos(FLUSH_PARK_NANOS);
        }
        return true;
    }

    private void flushClient() {
        if (flushing.compareAndSet(false, true)) {
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
    }

    /** {@inheritDoc} Written by this sink's worker and the producer's I/O thread. */
    @Override
    public SinkCounters counters() {
        return counters;
    }

    /**
     * {@inheritDoc} The producer's {@code record-send-rate}, {@code request-latency-avg} (NaN before
     * the first request), {@code buffer-available-bytes}, {@code record-error-rate} and
     * {@code record-retry-rate}, and {@code pending-records}: records kept because the client refused
     * them. Each is one read of a metric looked up at start-up.
     */
    @Override
    public Map<String, Double> details() {
        final Map<String, Double> values = new LinkedHashMap<>();
        gauges.forEach((name, metric) -> {
            if (metric.metricValue() instanceof Number v) {
                values.put(name, v.doubleValue());
            }
        });
        values.put(PENDING_GAUGE, (double) pendingCount);
        return values;
    }

    /**
     * {@inheritDoc} Does not wait for deliveries (that is {@link #flush}'s job): with packets in flight
     * the producer is closed at once, which fails its pending records; those failures, the records this
     * sink kept pending, and anything still unaccounted once the I/O thread has stopped, are counted as
     * {@link SinkFailure#SHUTDOWN}, each packet exactly once, so that afterwards
     * {@code sent == delivered + failed}.
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
        pending.clear();
        pendingCount = 0;
        final long left = counters.inFlight();
        if (left > 0) {
            counters.onFailed(SinkFailure.SHUTDOWN, (int) Math.min(Integer.MAX_VALUE, left));
        }
    }

    static String humanDuration(final Duration d) {
        final long ms = d.toMillis();
        return ms % 1_000 == 0 ? ms / 1_000 + "s" : ms + "ms";
    }

    /**
     * One record and its callback. The callback counts the record's outcome exactly once, however the
     * client reports it (through the callback, by throwing, or both); on the sending thread, for the
     * record being handed over, a failure is a refusal that {@link #offer} decides about instead.
     */
    private final class Delivery implements Callback {
        private static final AtomicIntegerFieldUpdater<Delivery> DONE =
                AtomicIntegerFieldUpdater.newUpdater(Delivery.class, "done");
        /** The record, until the client took it. */
        ProducerRecord<byte[], byte[]> record;
        private final int bytes;
        private volatile int done;

        Delivery(final ProducerRecord<byte[], byte[]> record, final int bytes) {
            this.record = record;
            this.bytes = bytes;
        }

        /** Gives the record copies of its key and value, so that it can wait while the reused arrays move on. */
        void ownArrays() {
            final ProducerRecord<byte[], byte[]> r = record;
            record = new ProducerRecord<>(r.topic(), r.partition(), r.timestamp(), r.key().clone(), r.value().clone(),
                    r.headers());
        }

        /** Claims the right to count this record's outcome; true once. */
        boolean complete() {
            return DONE.compareAndSet(this, 0, 1);
        }

        @Override
        public void onCompletion(final RecordMetadata metadata, final Exception exception) {
            if (exception != null && attempting == this && Thread.currentThread() == sender) {
                refusal = exception;
                return;
            }
            if (!complete()) {
                return;
            }
            final int s = state.get();
            if (s == CLOSED) {
                return;
            }
            if (exception == null) {
                counters.onDelivered(1, bytes);
            } else if (s == CLOSING) {
                counters.onFailed(SinkFailure.SHUTDOWN, 1, exception);
            } else if (ClientErrors.isBatchMate(exception)) {
                // counted with the reason of the batch-mate that was invalid, whose message says why
                counters.onFailed(ClientErrors.classify(exception), 1);
            } else {
                counters.onFailed(ClientErrors.classify(exception), 1, exception);
            }
        }
    }
}
