package dev.probe.bench;

import dev.probe.api.PacketBurst;
import dev.probe.runtime.pipeline.BurstRing;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The raw cost of the transmit ring: one producer filling and publishing bursts of descriptors in a
 * {@link BurstRing}, as a receive worker's poll does, while one ({@code oneConsumer}) or two
 * ({@code twoConsumers}) consumers take them, read every descriptor and release them, with nothing else
 * in the way (no source, no sink). The {@code drained} counter is packets per second through the ring;
 * {@code failedClaims} counts the producer's attempts that found the ring full. With two consumers this
 * needs three threads: on a two-core machine they share cores.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BurstRingBenchmark {
    /** Descriptors per burst. */
    @Param({"1", "32", "256"})
    public int burst;

    /** Ring capacity in packets. */
    @Param({"4096"})
    public int ring;

    private BurstRing queue;

    /** The shared ring. */
    @Setup(Level.Trial)
    public void createRing() {
        queue = new BurstRing(ring, burst);
    }

    /** Per-thread counts, summed over the group and reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counts {
        /** Descriptors published. */
        public long offered;
        /** Producer attempts that found the ring full. */
        public long failedClaims;
        /** Descriptors taken by consumers. */
        public long drained;

        /** Zeroes the counts. */
        @Setup(Level.Iteration)
        public void reset() {
            offered = 0;
            failedClaims = 0;
            drained = 0;
        }
    }

    private int offer(final Counts c) {
        final PacketBurst b = queue.claim();
        if (b == null) {
            c.failedClaims++;
            return 0;
        }
        b.clear();
        final long base = c.offered;
        for (int i = 0; i < burst; i++) {
            b.add(1_700_000_000_000_000_000L + base + i, 64, 64, (base + i) * 64);
        }
        queue.publish();
        c.offered += burst;
        return burst;
    }

    private long drain(final Counts c) {
        final long position = queue.take();
        if (position < 0) {
            return 0;
        }
        final PacketBurst b = queue.burst(position);
        long sum = 0;
        final int n = b.size();
        for (int i = 0; i < n; i++) {
            sum += b.timestampNanos(i) + b.capturedLength(i) + b.wireLength(i) + b.handle(i);
        }
        queue.release(position);
        c.drained += n;
        return sum;
    }

    /** Producer of the one-consumer group. */
    @Benchmark
    @Group("oneConsumer")
    @GroupThreads(1)
    public int offer1(final Counts c) {
        return offer(c);
    }

    /** Consumer of the one-consumer group. */
    @Benchmark
    @Group("oneConsumer")
    @GroupThreads(1)
    public long drain1(final Counts c) {
        return drain(c);
    }

    /** Producer of the two-consumer group. */
    @Benchmark
    @Group("twoConsumers")
    @GroupThreads(1)
    public int offer2(final Counts c) {
        return offer(c);
    }

    /** Consumers of the two-consumer group. */
    @Benchmark
    @Group("twoConsumers")
    @GroupThreads(2)
    public long drain2(final Counts c) {
        return drain(c);
    }
}
