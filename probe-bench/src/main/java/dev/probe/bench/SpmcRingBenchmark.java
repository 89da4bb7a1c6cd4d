package dev.probe.bench;

import dev.probe.api.PacketBurst;
import dev.probe.runtime.pipeline.SpmcPacketRing;
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
 * The raw cost of the transmit ring: one producer offering bursts of descriptors to a
 * {@link SpmcPacketRing} while one ({@code oneConsumer}) or two ({@code twoConsumers}) consumers drain
 * it, with nothing else in the way (no source, no sink). The {@code drained} counter is packets per
 * second through the ring; {@code failedOffers} counts descriptors the producer found no room for.
 * With two consumers this needs three threads: on a two-core machine they share cores.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SpmcRingBenchmark {
    /** Descriptors per offer, and the most a consumer drains at once. */
    @Param({"1", "32", "256"})
    public int burst;

    /** Ring capacity in packets. */
    @Param({"4096"})
    public int ring;

    private SpmcPacketRing queue;

    /** The shared ring. */
    @Setup(Level.Trial)
    public void createRing() {
        queue = new SpmcPacketRing(ring);
    }

    /** The producer's burst, filled once: offering copies the descriptors, never changes them. */
    @State(Scope.Thread)
    public static class ProducerBurst {
        PacketBurst burst;

        /** Fills the burst. */
        @Setup(Level.Trial)
        public void fill(final SpmcRingBenchmark b) {
            burst = new PacketBurst(b.burst);
            for (int i = 0; i < b.burst; i++) {
                burst.add(1_700_000_000_000_000_000L + i, 64, 64, (long) i * 64);
            }
        }
    }

    /** A consumer's burst. */
    @State(Scope.Thread)
    public static class ConsumerBurst {
        PacketBurst burst;

        /** Creates the burst. */
        @Setup(Level.Trial)
        public void create(final SpmcRingBenchmark b) {
            burst = new PacketBurst(b.burst);
        }
    }

    /** Per-thread counts, summed over the group and reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counts {
        /** Descriptors appended. */
        public long offered;
        /** Descriptors the ring had no room for. */
        public long failedOffers;
        /** Descriptors taken by consumers. */
        public long drained;

        /** Zeroes the counts. */
        @Setup(Level.Iteration)
        public void reset() {
            offered = 0;
            failedOffers = 0;
            drained = 0;
        }
    }

    private int offer(final ProducerBurst p, final Counts c) {
        final int n = queue.offer(p.burst, 0);
        c.offered += n;
        c.failedOffers += p.burst.size() - n;
        return n;
    }

    private int drain(final ConsumerBurst k, final Counts c) {
        k.burst.clear();
        final int n = queue.drain(k.burst, k.burst.capacity());
        c.drained += n;
        return n;
    }

    /** Producer of the one-consumer group. */
    @Benchmark
    @Group("oneConsumer")
    @GroupThreads(1)
    public int offer1(final ProducerBurst p, final Counts c) {
        return offer(p, c);
    }

    /** Consumer of the one-consumer group. */
    @Benchmark
    @Group("oneConsumer")
    @GroupThreads(1)
    public int drain1(final ConsumerBurst k, final Counts c) {
        return drain(k, c);
    }

    /** Producer of the two-consumer group. */
    @Benchmark
    @Group("twoConsumers")
    @GroupThreads(1)
    public int offer2(final ProducerBurst p, final Counts c) {
        return offer(p, c);
    }

    /** Consumers of the two-consumer group. */
    @Benchmark
    @Group("twoConsumers")
    @GroupThreads(2)
    public int drain2(final ConsumerBurst k, final Counts c) {
        return drain(k, c);
    }
}
