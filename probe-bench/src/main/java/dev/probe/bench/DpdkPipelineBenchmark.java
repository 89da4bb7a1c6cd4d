package dev.probe.bench;

import dev.probe.bench.harness.PcapFrames;
import dev.probe.source.dpdk.Dpdk;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link AbstractPipelineBenchmark} over a DPDK {@code net_pcap} device replaying a pcap file of 64-byte
 * frames from memory forever ({@code infinite_rx=1}): the driver copies each frame into a fresh mbuf,
 * the receive worker polls it through FFM, the transmit worker reads it and frees the mbufs in bulk.
 * Each receive queue replays its own copy of the file ({@code rx_pcap} once per queue).
 *
 * <p>The EAL starts once per JVM and a closed {@code net_pcap} port cannot be opened again, so every
 * trial needs its own fork: never run this with {@code -f 0}. Skipped, with a message, when DPDK is not
 * installed.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DpdkPipelineBenchmark extends AbstractPipelineBenchmark {
    /** Frames in the replayed file. */
    private static final int FRAMES = 1024;

    /** Frame size in bytes. */
    @Param({"64"})
    public int frameSize;

    /** {@code probe.source.dpdk.data-room}: the default (9216) or a smaller one. */
    @Param({"9216"})
    public int dataRoom;

    @Override
    protected boolean available() {
        if (!Dpdk.isAvailable()) {
            System.out.println("SKIPPED: DPDK is not available here (" + Dpdk.unavailabilityCause()
                    + "); install DPDK 22.11 (apt-get install dpdk) to run " + getClass().getSimpleName());
            return false;
        }
        return true;
    }

    @Override
    protected List<String> sourceSettings(final int queues) {
        final Path file = PcapFrames.ensure(FRAMES, frameSize);
        final StringBuilder vdev = new StringBuilder("net_pcap0");
        for (int q = 0; q < queues; q++) {
            vdev.append(",rx_pcap=").append(file);
        }
        vdev.append(",infinite_rx=1");
        final List<String> eal = List.of("--no-huge", "-m", "2048", "--no-pci", "--no-telemetry",
                "--file-prefix", "probe-bench-" + ProcessHandle.current().pid(), "--log-level", "*:warning",
                "--vdev", vdev.toString());
        // Every descriptor, ring slot and burst holds an mbuf, and the driver keeps its own copy of the
        // file per queue: size the pool for that, in a 2 KiB data room (64-byte frames) to fit -m.
        final long least = (long) queues * (1024 + ring + burst + FRAMES) + 512;
        final int mbufs = Integer.getInteger("probe.bench.mbufs",
                (int) Math.max(16383, Long.highestOneBit(least * 2) * 2 - 1));
        final List<String> s = new ArrayList<>();
        s.add("probe.source.type=dpdk");
        s.add("probe.source.dpdk.eal-args=" + hocon(eal));
        s.add("probe.source.dpdk.port=net_pcap0");
        s.add("probe.source.dpdk.rx-queues=" + queues);
        s.add("probe.source.dpdk.rx-descriptors=1024");
        s.add("probe.source.dpdk.mbufs=" + mbufs);
        s.add("probe.source.dpdk.mbuf-cache=256");
        s.add("probe.source.dpdk.data-room=" + dataRoom);
        s.add("probe.source.dpdk.link-wait=0s");
        return s;
    }

    private static String hocon(final List<String> values) {
        final StringBuilder b = new StringBuilder("[");
        for (final String v : values) {
            if (b.length() > 1) {
                b.append(", ");
            }
            b.append('"').append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return b.append(']').toString();
    }
}
