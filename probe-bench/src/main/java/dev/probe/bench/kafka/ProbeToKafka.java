package dev.probe.bench.kafka;

import dev.probe.bench.harness.PcapFrames;
import dev.probe.bench.harness.PipelineHarness;
import dev.probe.runtime.stats.Snapshot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The probe end to end into Kafka through the real runtime: a source that offers more than Kafka can
 * take (the synthetic source, or a DPDK {@code net_pcap} device replaying a file forever) into the
 * Kafka sink, until at least {@code records} packets are delivered; then a clean stop that drains the
 * ring and flushes the producer. Prints one line {@code RESULT key=value ...} that {@link KafkaBench}
 * reads: delivered per second from start to the end of the flush (as ProducerPerformance counts from
 * its first send to its last acknowledgement), and the accounting.
 *
 * <p>Arguments: {@code bootstrap topic frameSize records source} where source is {@code synthetic},
 * {@code synthetic-live} or {@code dpdk}, each optionally with {@code -sticky}
 * ({@code partitioner.ignore.keys=true}),, then any {@code path=value} settings.
 */
public final class ProbeToKafka {
    private ProbeToKafka() {
    }

    /** Runs one measurement; see the class comment for the arguments. */
    public static void main(final String[] args) {
        final String bootstrap = args[0];
        final String topic = args[1];
        final int size = Integer.parseInt(args[2]);
        final long records = Long.parseLong(args[3]);
        final String source = args[4];
        final boolean sticky = source.endsWith("-sticky");
        final List<String> settings = new ArrayList<>(sourceSettings(source.replace("-sticky", ""), size));
        if (sticky) {
            // Fill one partition's batch at a time, as ProducerPerformance does with its null keys; the
            // key (capture time) stays in every record.
            settings.add("probe.sink.kafka.producer.partitioner.ignore.keys=true");
        }
        settings.add("probe.sink.type=kafka");
        settings.add("probe.sink.kafka.topic=" + topic);
        settings.add("probe.sink.kafka.producer.bootstrap.servers=\"" + bootstrap + "\"");
        settings.add("probe.sink.kafka.producer.acks=\"1\"");
        settings.add("probe.sink.kafka.producer.linger.ms=5");
        settings.add("probe.sink.kafka.producer.batch.size=262144");
        settings.add("probe.transmit.workers-per-ring=1");
        settings.add("probe.receive.idle-strategy=backoff");
        settings.add("probe.transmit.idle-strategy=backoff");
        for (int i = 5; i < args.length; i++) {
            settings.add(args[i]);
        }
        final PipelineHarness harness = PipelineHarness.start(settings);
        final long start = System.nanoTime();
        long checks = 0;
        long unbalanced = 0;
        long unexplained = 0;
        while (true) {
            final Snapshot s = harness.snapshot();
            checks++;
            if (!s.balances()) {
                unbalanced++;
                // Snapshot.inFlight() leaves out packets a transmit worker has claimed off its ring but
                // not yet counted as taken; with them the books must balance exactly.
                final long claimed = claimedNotTaken(s);
                if (s.captured() != s.delivered() + s.droppedTotal() + s.inFlight() + claimed) {
                    unexplained++;
                    System.out.println("UNBALANCED " + s);
                }
            }
            if (s.delivered() >= records || harness.pipeline().workerFailure() != null) {
                break;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        final Snapshot end = harness.stop(Duration.ofSeconds(60));
        final double seconds = (System.nanoTime() - start) / 1e9;
        System.out.println(String.format(Locale.ROOT,
                "RESULT rate=%.1f seconds=%.3f captured=%d delivered=%d dropped=%d inFlight=%d balanced=%s checks=%d"
                        + " midRunSnapshotUnbalanced=%d midRunUnexplained=%d dropReasons=%s failure=%s",
                end.delivered() / seconds, seconds, end.captured(), end.delivered(), end.droppedTotal(), end.inFlight(),
                end.balances(), checks, unbalanced, unexplained, end.dropped().toString().replace(' ', '_'),
                harness.pipeline().workerFailure()));
        System.exit(0);
    }

    private static long claimedNotTaken(final Snapshot s) {
        long claimed = 0;
        for (final Snapshot.Queue q : s.queues()) {
            claimed += q.ringDequeued() - q.workers().stream().mapToLong(Snapshot.Worker::taken).sum();
        }
        return claimed;
    }

    private static List<String> sourceSettings(final String source, final int size) {
        return switch (source) {
            case "synthetic", "synthetic-live" -> List.of("probe.source.type=synthetic", "probe.source.synthetic.queues=1",
                    "probe.source.synthetic.frame-size=" + size, "probe.source.synthetic.packets=0",
                    "probe.source.synthetic.live=" + source.equals("synthetic-live"));
            case "dpdk" -> List.of("probe.source.type=dpdk",
                    "probe.source.dpdk.eal-args=[\"--no-huge\", \"-m\", \"1024\", \"--no-pci\", \"--no-telemetry\","
                            + " \"--file-prefix\", \"probe-bench-" + ProcessHandle.current().pid() + "\", \"--log-level\","
                            + " \"*:warning\", \"--vdev\", \"net_pcap0,rx_pcap=" + PcapFrames.ensure(1024, size)
                            + ",infinite_rx=1\"]",
                    "probe.source.dpdk.port=net_pcap0", "probe.source.dpdk.data-room=2048",
                    "probe.source.dpdk.mbufs=16383", "probe.source.dpdk.link-wait=0s");
            default -> throw new IllegalArgumentException("source: " + source + " (expected: synthetic, synthetic-live, dpdk)");
        };
    }
}
