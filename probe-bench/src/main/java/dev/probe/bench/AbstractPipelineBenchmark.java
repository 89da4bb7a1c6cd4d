package dev.probe.bench;

import dev.probe.bench.harness.PipelineHarness;
import dev.probe.bench.harness.ReceiveCounters;
import dev.probe.bench.harness.WorkerThreads;
import dev.probe.runtime.pipeline.ReceiveCounter;
import dev.probe.runtime.stats.Snapshot;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The capture pipeline at full speed: source, receive workers, transmit rings, transmit workers and
 * the discarding sink, all running on their own threads exactly as {@code bin/probe run} starts them.
 * The benchmark thread only watches: one operation is "wait, parked, until {@value #BATCH} more
 * packets were delivered", so {@code ops/s x BATCH} is packets per second, and the {@code packets}
 * auxiliary counter gives the exact figure. With {@code -prof gc}, bytes allocated per packet are
 * {@code gc.alloc.rate.norm / (packets / op)} (the report does the division): allocation of every
 * thread counts, and the watcher itself allocates nothing. The {@code rxCpuNsPerPacket} and
 * {@code txCpuNsPerPacket} counters are the CPU time the receive and transmit worker threads used per
 * packet delivered over the iteration (thread CPU clocks): a figure that load from other processes on a
 * shared machine disturbs much less than the rate, since time spent descheduled is not counted.
 *
 * <p>The pipeline starts once per trial (per fork): warm-up iterations warm up its workers.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public abstract class AbstractPipelineBenchmark {
    /** Packets per operation. */
    public static final long BATCH = 1 << 16;
    /** How long the watching thread parks between looks at the counters. */
    private static final long PARK_NANOS = 100_000;

    /** Most packets one poll of a receive queue returns ({@code probe.receive.burst-size}). */
    @Param({"1", "8", "32", "128", "512"})
    public int burst;

    /** Capacity of each transmit ring in packets ({@code probe.transmit.ring-size}). */
    @Param({"256", "4096", "16384", "65536"})
    public int ring;

    /** Receive queues x transmit workers per ring. */
    @Param({"1x1", "1x2", "2x1"})
    public String layout;

    /** Idle strategy of every worker ({@code probe.receive/transmit.idle-strategy}). */
    @Param({"backoff", "busy-spin"})
    public String idle;

    private PipelineHarness harness;
    private ReceiveCounters receive;
    private long[] rxThreads;
    private long[] txThreads;

    /** Counts reported per second beside the primary score. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        /** Packets delivered to (read by) the sinks. */
        public long packets;
        /** Packets a full transmit ring dropped (live sources only). */
        public long ringFull;
        /** Polls that returned packets: packets / polls is the average burst filled. */
        public long polls;
        private long lastRingFull = -1;
        private long lastPolls = -1;

        /** Zeroes the counts at the start of each iteration. */
        @Setup(Level.Iteration)
        public void reset() {
            packets = 0;
            ringFull = 0;
            polls = 0;
            lastRingFull = -1;
            lastPolls = -1;
        }
    }

    /** CPU time of the worker threads per packet delivered, over each iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class CpuCost {
        /** Receive worker threads' CPU nanoseconds per packet delivered. */
        public double rxCpuNsPerPacket;
        /** Transmit worker threads' CPU nanoseconds per packet delivered. */
        public double txCpuNsPerPacket;
        private long startRx = -1;
        private long startTx;
        private long packets;

        /** Starts counting afresh at each iteration. */
        @Setup(Level.Iteration)
        public void reset() {
            startRx = -1;
            packets = 0;
            rxCpuNsPerPacket = 0;
            txCpuNsPerPacket = 0;
        }
    }

    /** The source's settings for {@code queues} receive queues. */
    protected abstract List<String> sourceSettings(int queues);

    /** Whether this benchmark can run here; when not, it prints why and measures nothing. */
    protected boolean available() {
        return true;
    }

    /** Builds and starts the pipeline. */
    @Setup(Level.Trial)
    public void startPipeline() {
        if (!available()) {
            return;
        }
        final int[] l = PipelineHarness.layout(layout);
        final List<String> settings = new ArrayList<>(sourceSettings(l[0]));
        settings.add("probe.receive.burst-size=" + burst);
        settings.add("probe.transmit.ring-size=" + ring);
        settings.add("probe.transmit.workers-per-ring=" + l[1]);
        settings.add("probe.receive.idle-strategy=" + idle);
        settings.add("probe.transmit.idle-strategy=" + idle);
        // Extra settings for experiments: -jvmArgsAppend "-Dprobe.bench.set=path=value;path=value".
        for (final String extra : System.getProperty("probe.bench.set", "").split(";")) {
            if (!extra.isBlank()) {
                settings.add(extra.trim());
            }
        }
        harness = PipelineHarness.start(settings);
        receive = new ReceiveCounters(harness.pipeline());
        rxThreads = WorkerThreads.ids("rx-");
        txThreads = WorkerThreads.ids("tx-");
    }

    /** Stops the pipeline and prints its final counters. */
    @TearDown(Level.Trial)
    public void stopPipeline() {
        if (harness == null) {
            return;
        }
        final Snapshot s = harness.stop(Duration.ofSeconds(10));
        System.out.println();
        System.out.println("pipeline final: captured " + s.captured() + ", delivered " + s.delivered()
                + ", dropped " + s.dropped() + ", in flight " + s.inFlight() + ", balances " + s.balances()
                + ", source " + s.source());
        harness = null;
    }

    /** Waits until {@value #BATCH} more packets were delivered. */
    @Benchmark
    public long pipeline(final Counters c, final CpuCost cpu) {
        if (harness == null) {
            return 0;
        }
        if (cpu.startRx < 0) {
            cpu.startRx = WorkerThreads.cpuNanos(rxThreads);
            cpu.startTx = WorkerThreads.cpuNanos(txThreads);
        }
        final long n = harness.awaitDelivered(BATCH, PARK_NANOS);
        c.packets += n;
        cpu.packets += n;
        cpu.rxCpuNsPerPacket = (double) (WorkerThreads.cpuNanos(rxThreads) - cpu.startRx) / cpu.packets;
        cpu.txCpuNsPerPacket = (double) (WorkerThreads.cpuNanos(txThreads) - cpu.startTx) / cpu.packets;
        final long ringFull = receive.sum(ReceiveCounter.RING_FULL);
        final long polls = receive.sum(ReceiveCounter.BURSTS);
        if (c.lastRingFull >= 0) {
            c.ringFull += ringFull - c.lastRingFull;
            c.polls += polls - c.lastPolls;
        }
        c.lastRingFull = ringFull;
        c.lastPolls = polls;
        return n;
    }
}
