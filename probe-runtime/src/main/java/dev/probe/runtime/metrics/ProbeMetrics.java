package dev.probe.runtime.metrics;

import dev.probe.runtime.stats.Snapshot;
import dev.probe.spi.SinkFailure;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.List;
import java.util.function.Supplier;

/**
 * The probe's own metrics, every counter of the stats lines, read from one {@link Snapshot} per scrape so
 * that the figures of a scrape agree with each other (captured = delivered + dropped + in flight) and with
 * the stats lines. Reading them allocates only on the scraping thread; the workers' counters are plain
 * acquire loads. Called by the HTTP server's threads.
 *
 * <p>Names follow Prometheus conventions: counters end in {@code _total}, units are packets and bytes,
 * per-queue series carry {@code queue}, per-transmit-worker series {@code worker}, drops and failures
 * {@code reason}.
 */
public final class ProbeMetrics implements MultiCollector {
    private final Supplier<Snapshot> snapshots;
    private final Readiness readiness;
    private final String version;

    /**
     * @param snapshots the pipeline's current counters, or null before the pipeline was built
     * @param readiness what {@code probe_ready} reports
     * @param version the probe's version, for {@code probe_build_info}
     */
    public ProbeMetrics(final Supplier<Snapshot> snapshots, final Readiness readiness, final String version) {
        this.snapshots = snapshots;
        this.readiness = readiness;
        this.version = version;
    }

    @Override
    public MetricSnapshots collect() {
        final MetricSnapshots.Builder all = MetricSnapshots.builder();
        all.metricSnapshot(InfoSnapshot.builder().name("probe_build").help("The probe's version")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of("version", version)).build())
                .build());
        all.metricSnapshot(gauge("probe_ready", "1 when the probe is ready (see /ready): capturing, and the sinks "
                + "delivering what is in flight; 0 while starting, stalled or stopping")
                .dataPoint(point(readiness.status(System.nanoTime()).ready() ? 1 : 0, Labels.EMPTY)).build());
        final Snapshot s = snapshots.get();
        if (s == null) {
            return all.build();
        }

        all.metricSnapshot(counter("probe_captured_packets", "Packets that reached the capture point: received, "
                + "plus those the source dropped").dataPoint(count(s.captured(), Labels.EMPTY)).build());
        all.metricSnapshot(counter("probe_delivered_packets", "Packets the sinks' destinations acknowledged")
                .dataPoint(count(s.delivered(), Labels.EMPTY)).build());
        all.metricSnapshot(counter("probe_delivered_bytes", "Bytes of the packets the sinks' destinations acknowledged")
                .unit(Unit.BYTES).dataPoint(count(s.bytesDelivered(), Labels.EMPTY)).build());
        final CounterSnapshot.Builder dropped = counter("probe_dropped_packets", "Packets dropped, by reason: "
                + "source-<reason> (the source's own: source-kernel, source-nic-missed, ...), ring-full, shutdown, "
                + "sink-error and the sink failures (sink-timeout, sink-buffer-exhausted, ...)");
        s.dropped().forEach((reason, n) -> dropped.dataPoint(count(n, Labels.of("reason", reason))));
        all.metricSnapshot(dropped.build());
        all.metricSnapshot(gauge("probe_in_flight_packets", "Packets on their way: held by a receive worker, on a "
                + "ring, held by a transmit worker, or sent and not yet acknowledged")
                .dataPoint(point(s.inFlight(), Labels.EMPTY)).build());

        final CounterSnapshot.Builder received = counter("probe_received_packets", "Packets the source handed to the receive worker of a queue");
        final CounterSnapshot.Builder bursts = counter("probe_receive_bursts", "Polls of a receive queue that returned packets");
        final CounterSnapshot.Builder fullBursts = counter("probe_receive_full_bursts", "Polls that returned a full burst, a sign the queue is under pressure");
        final CounterSnapshot.Builder repeats = counter("probe_receive_repeats", "Immediate re-polls made because the previous poll was full");
        final CounterSnapshot.Builder enqueued = counter("probe_ring_enqueued_packets", "Packets put on a transmit ring");
        final CounterSnapshot.Builder ringFull = counter("probe_ring_full_packets", "Packets dropped because their transmit ring was full");
        final GaugeSnapshot.Builder depth = gauge("probe_ring_depth_packets", "Packets waiting on a transmit ring");
        final GaugeSnapshot.Builder capacity = gauge("probe_ring_capacity_packets", "Capacity of a transmit ring (probe.transmit.ring-size)");
        final CounterSnapshot.Builder sent = counter("probe_sink_sent_packets", "Packets a transmit worker handed to its sink");
        final CounterSnapshot.Builder workerDelivered = counter("probe_sink_delivered_packets", "Packets a transmit worker's sink delivered");
        final CounterSnapshot.Builder workerBytes = counter("probe_sink_delivered_bytes", "Bytes a transmit worker's sink delivered").unit(Unit.BYTES);
        final CounterSnapshot.Builder failed = counter("probe_sink_failed_packets", "Packets a transmit worker's sink failed, by reason");
        final GaugeSnapshot.Builder workerInFlight = gauge("probe_sink_in_flight_packets", "Packets a transmit worker holds or its sink has sent and not yet resolved");
        final GaugeSnapshot.Builder sinkDetails = gauge("probe_sink_detail", "A sink's own gauges, by name "
                + "(the Kafka sink: producer metrics such as record-send-rate and request-latency-avg)");
        for (final Snapshot.Queue q : s.queues()) {
            final Labels queue = Labels.of("queue", String.valueOf(q.id()));
            received.dataPoint(count(q.packets(), queue));
            bursts.dataPoint(count(q.bursts(), queue));
            fullBursts.dataPoint(count(q.fullBursts(), queue));
            repeats.dataPoint(count(q.repeats(), queue));
            enqueued.dataPoint(count(q.ringEnqueued(), queue));
            ringFull.dataPoint(count(q.ringFull(), queue));
            depth.dataPoint(point(q.ringDepth(), queue));
            capacity.dataPoint(point(q.ringCapacity(), queue));
            for (final Snapshot.Worker w : q.workers()) {
                final Labels worker = Labels.of("worker", w.name());
                sent.dataPoint(count(w.sent(), worker));
                workerDelivered.dataPoint(count(w.delivered(), worker));
                workerBytes.dataPoint(count(w.bytesDelivered(), worker));
                for (final SinkFailure reason : SinkFailure.values()) {
                    failed.dataPoint(count(w.failed().getOrDefault(reason, 0L), Labels.of("worker", w.name(), "reason", reason.key())));
                }
                workerInFlight.dataPoint(point(w.workerHeld() + w.sinkInFlight(), worker));
                w.details().forEach((name, value) -> sinkDetails.dataPoint(point(value, Labels.of("worker", w.name(), "name", name))));
            }
        }
        final GaugeSnapshot.Builder sourceDetails = gauge("probe_source_detail", "The capture source's own counters, "
                + "by name (DPDK: ipackets, ierrors, no-mbuf, mbufs-unreturned, ...; libpcap: packets, held, received)");
        s.sourceDetails().forEach((name, value) -> sourceDetails.dataPoint(point(value, Labels.of("name", name))));
        for (final MetricSnapshot.Builder<?> family : List.of(received, bursts, fullBursts, repeats, enqueued, ringFull,
                depth, capacity, sent, workerDelivered, workerBytes, failed, workerInFlight, sinkDetails, sourceDetails)) {
            final MetricSnapshot built = family.build();
            if (!built.getDataPoints().isEmpty()) {
                all.metricSnapshot(built);
            }
        }
        return all.build();
    }

    private static CounterSnapshot.Builder counter(final String name, final String help) {
        return CounterSnapshot.builder().name(name).help(help);
    }

    private static GaugeSnapshot.Builder gauge(final String name, final String help) {
        return GaugeSnapshot.builder().name(name).help(help);
    }

    private static CounterSnapshot.CounterDataPointSnapshot count(final long value, final Labels labels) {
        return CounterSnapshot.CounterDataPointSnapshot.builder().value(value).labels(labels).build();
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot point(final double value, final Labels labels) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).labels(labels).build();
    }
}
