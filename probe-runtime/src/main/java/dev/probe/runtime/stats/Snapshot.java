package dev.probe.runtime.stats;

import dev.probe.runtime.pipeline.SinkError;
import dev.probe.runtime.pipeline.TransmitCounter;
import dev.probe.runtime.pipeline.TransmitWorker;
import dev.probe.spi.SinkCounters;
import dev.probe.spi.SinkFailure;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every counter of a running or stopped pipeline at one moment, and the accounting derived from them:
 * {@code captured = delivered + dropped (every reason) + in flight}. Immutable.
 *
 * @param elapsedNanos time since the pipeline was built
 * @param source what was opened
 * @param sourceDrops packets the source saw but could not hand over, by reason
 * @param sourceDetails informational source counters
 * @param queues per receive queue
 */
public record Snapshot(long elapsedNanos, String source, Map<String, Long> sourceDrops,
                       Map<String, Long> sourceDetails, List<Queue> queues) {

    /** Drop reason for packets that found their transmit ring full. */
    public static final String RING_FULL = "ring-full";
    /** Drop reason for packets still on a ring when the shutdown timeout ran out. */
    public static final String SHUTDOWN = "shutdown";
    /**
     * Drop reason for packets a sink lost by throwing: those of a burst it had not counted when
     * {@code send} threw, and those it left neither delivered nor failed when it closed.
     */
    public static final String SINK_ERROR = "sink-error";

    /**
     * One receive queue, its ring and its transmit workers.
     *
     * @param packets packets the source handed to the receive worker
     * @param ringEnqueued packets put on the ring
     * @param ringDequeued packets taken off the ring
     */
    public record Queue(int id, long packets, long bursts, long fullBursts, long repeats, long ringFull,
                        long ringEnqueued, long ringDequeued, int ringCapacity,
                        List<Worker> workers) {
        /** Packets the receive worker holds between poll and ring. */
        public long receiveHeld() {
            return Math.max(0, packets - ringEnqueued - ringFull);
        }

        /** Packets waiting on the ring. */
        public long ringDepth() {
            return Math.max(0, ringEnqueued - ringDequeued);
        }

        /** Packets a transmit worker has claimed from the ring but not yet counted as taken. */
        public long claimedNotTaken() {
            return Math.max(0, ringDequeued - workers.stream().mapToLong(Worker::taken).sum());
        }
    }

    /**
     * One transmit worker and its sink.
     *
     * @param taken packets taken from the ring
     * @param shutdownDrops of those, dropped unsent at the stop's deadline
     * @param sinkErrorUnsent of those, lost to a send that threw before the sink counted them
     * @param sinkErrorUnresolved packets the sink left neither delivered nor failed when it closed
     * @param sent handed to the sink
     * @param delivered acknowledged by the destination
     * @param bytesDelivered bytes of those
     * @param failed sink failures by reason
     * @param firstErrors the first error message of each failure reason the sink gave one for
     * @param sinkError the exception the sink threw, as one line, or null
     * @param details the sink's own gauges
     */
    public record Worker(String name, long taken, long shutdownDrops, long sinkErrorUnsent, long sinkErrorUnresolved,
                         long sent, long delivered, long bytesDelivered, Map<SinkFailure, Long> failed,
                         Map<SinkFailure, String> firstErrors, String sinkError, Map<String, Double> details) {

        /** Reads a worker's counters, downstream (the sink's outcomes) before upstream (taken). */
        public static Worker read(final TransmitWorker worker) {
            final SinkCounters sink = worker.sink().counters();
            final long unresolved = worker.counters().get(TransmitCounter.SINK_ERROR_UNRESOLVED);
            final Map<SinkFailure, Long> failed = sink.failedByReason();
            final long delivered = sink.delivered();
            final long bytes = sink.bytesDelivered();
            final long sent = sink.sent();
            final long unsent = worker.counters().get(TransmitCounter.SINK_ERROR_UNSENT);
            final long shutdownDrops = worker.counters().get(TransmitCounter.SHUTDOWN_DROPS);
            final long taken = worker.counters().get(TransmitCounter.TAKEN);
            final SinkError error = worker.sinkError();
            Map<String, Double> details;
            try {
                details = Map.copyOf(worker.sink().details());
            } catch (RuntimeException e) {
                details = Map.of();
            }
            return new Worker(worker.roleName(), taken, shutdownDrops, unsent, unresolved, sent, delivered, bytes,
                    failed, sink.firstErrors(), error == null ? null : error.message(), details);
        }

        /** Packets the sink failed, any reason. */
        public long failedTotal() {
            return failed.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Packets the worker holds between ring and sink. */
        public long workerHeld() {
            return Math.max(0, taken - shutdownDrops - sinkErrorUnsent - sent);
        }

        /** Packets sent and not yet delivered or failed. */
        public long sinkInFlight() {
            return Math.max(0, sent - delivered - failedTotal() - sinkErrorUnresolved);
        }
    }

    /** The snapshot of a run that never started: no source, no queues, every count 0. */
    public static Snapshot empty() {
        return new Snapshot(0, "(not opened)", Map.of(), Map.of(), List.of());
    }

    /** Packets that reached the source: handed to the probe, plus those the source dropped. */
    public long captured() {
        return received() + sum(sourceDrops);
    }

    /** Packets the source handed to the receive workers. */
    public long received() {
        return queues.stream().mapToLong(Queue::packets).sum();
    }

    /** Packets acknowledged by the sinks. */
    public long delivered() {
        return workers().mapToLong(Worker::delivered).sum();
    }

    /** Bytes acknowledged by the sinks. */
    public long bytesDelivered() {
        return workers().mapToLong(Worker::bytesDelivered).sum();
    }

    /** Drops by reason: the source's ({@code source-<reason>}), ring-full, shutdown, and each sink failure. */
    public Map<String, Long> dropped() {
        final Map<String, Long> dropped = new LinkedHashMap<>();
        sourceDrops.forEach((reason, n) -> dropped.put("source-" + reason, n));
        dropped.put(RING_FULL, queues.stream().mapToLong(Queue::ringFull).sum());
        dropped.put(SHUTDOWN, workers().mapToLong(Worker::shutdownDrops).sum());
        dropped.put(SINK_ERROR, workers().mapToLong(w -> w.sinkErrorUnsent() + w.sinkErrorUnresolved()).sum());
        for (final SinkFailure reason : SinkFailure.values()) {
            dropped.put(reason.key(), workers().mapToLong(w -> w.failed().getOrDefault(reason, 0L)).sum());
        }
        return dropped;
    }

    /**
     * The first error message behind each drop reason that has one, such as
     * {@code sink-other -> InvalidTimestampException: ...}; a sink's exception under {@code sink-error}.
     */
    public Map<String, String> dropMessages() {
        final Map<String, String> messages = new LinkedHashMap<>();
        workers().forEach(w -> {
            w.firstErrors().forEach((reason, message) -> messages.putIfAbsent(reason.key(), message));
            if (w.sinkError() != null) {
                messages.putIfAbsent(SINK_ERROR, w.sinkError());
            }
        });
        return messages;
    }

    /** All drops, every reason. */
    public long droppedTotal() {
        return sum(dropped());
    }

    /** Packets on their way: held by a receive worker, on a ring, held by a transmit worker, or in a sink. */
    public long inFlight() {
        long total = 0;
        for (final Queue queue : queues) {
            total += queue.receiveHeld() + queue.ringDepth() + queue.claimedNotTaken();
            for (final Worker worker : queue.workers()) {
                total += worker.workerHeld() + worker.sinkInFlight();
            }
        }
        return total;
    }

    /**
     * Whether {@code captured = delivered + dropped + in flight}. In flight is the sum of what each stage
     * holds, each read as the difference of its neighbours' counters, so this holds by construction while
     * every stage's holding is non-negative; false means some stage counted more out than in (a counting
     * bug). Tests check the counts against what really arrived instead.
     */
    public boolean balances() {
        return captured() == delivered() + droppedTotal() + inFlight();
    }

    private java.util.stream.Stream<Worker> workers() {
        return queues.stream().flatMap(q -> q.workers().stream());
    }

    private static long sum(final Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}
