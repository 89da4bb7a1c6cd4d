package dev.probe.runtime.config;

import com.typesafe.config.Config;
import dev.probe.api.Settings;

import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Set;

/**
 * The runtime's own settings ({@code probe.source.type}, {@code probe.receive.*},
 * {@code probe.transmit.*}, {@code probe.sink.type}, {@code probe.idle.*}, {@code probe.stats.*},
 * {@code probe.stop.*}, {@code probe.shutdown.*}), read and validated once at start-up. Immutable.
 */
public record RuntimeSettings(
        String sourceType,
        String sinkType,
        int receiveBurstSize,
        int burstMaxRepeats,
        String receiveIdleStrategy,
        List<Integer> receiveCores,
        int ringSize,
        int workersPerRing,
        int transmitBurstSize,
        String transmitIdleStrategy,
        List<Integer> transmitCores,
        Duration tickInterval,
        int backoffMaxSpins,
        int backoffMaxYields,
        Duration backoffMaxPark,
        Duration sleepPeriod,
        Duration statsInterval,
        long maxPackets,
        Duration duration,
        Duration shutdownTimeout) {

    /** Names accepted by the idle-strategy settings. */
    public static final Set<String> IDLE_STRATEGIES = Set.of("busy-spin", "backoff", "sleep");

    /** Reads and validates; throws {@link dev.probe.api.ProbeException} naming the first bad setting. */
    public static RuntimeSettings from(final Config c) {
        final int cpus = Runtime.getRuntime().availableProcessors();
        final int maxCore = Math.max(1023, cpus - 1);
        final RuntimeSettings settings = new RuntimeSettings(
                Settings.nonEmptyString(c, "probe.source.type"),
                Settings.nonEmptyString(c, "probe.sink.type"),
                Settings.intInRange(c, "probe.receive.burst-size", 1, 1024),
                Settings.intInRange(c, "probe.receive.burst-max-repeats", 0, 1024),
                Settings.oneOf(c, "probe.receive.idle-strategy", IDLE_STRATEGIES),
                Settings.intList(c, "probe.receive.cores", 0, maxCore),
                Settings.powerOfTwo(c, "probe.transmit.ring-size", 16, 1 << 22),
                Settings.intInRange(c, "probe.transmit.workers-per-ring", 1, 64),
                Settings.intInRange(c, "probe.transmit.burst-size", 1, 65536),
                Settings.oneOf(c, "probe.transmit.idle-strategy", IDLE_STRATEGIES),
                Settings.intList(c, "probe.transmit.cores", 0, maxCore),
                Settings.duration(c, "probe.transmit.tick-interval", Duration.ofMillis(1), Duration.ofMinutes(1)),
                Settings.intInRange(c, "probe.idle.backoff.max-spins", 0, 1_000_000),
                Settings.intInRange(c, "probe.idle.backoff.max-yields", 0, 1_000_000),
                Settings.duration(c, "probe.idle.backoff.max-park", Duration.ofNanos(1), Duration.ofSeconds(1)),
                Settings.duration(c, "probe.idle.sleep.period", Duration.ofNanos(1), Duration.ofSeconds(1)),
                Settings.duration(c, "probe.stats.interval", Duration.ZERO, Duration.ofDays(1)),
                Settings.longInRange(c, "probe.stop.max-packets", 0, Long.MAX_VALUE),
                Settings.duration(c, "probe.stop.duration", Duration.ZERO, Duration.ofDays(365 * 100L)),
                Settings.duration(c, "probe.shutdown.timeout", Duration.ZERO, Duration.ofDays(1)));
        final BitSet allowed = AllowedCpus.read();
        if (allowed != null) {
            checkAllowed(c, "probe.receive.cores", settings.receiveCores(), allowed);
            checkAllowed(c, "probe.transmit.cores", settings.transmitCores(), allowed);
        }
        return settings;
    }

    private static void checkAllowed(final Config c, final String path, final List<Integer> cores, final BitSet allowed) {
        for (final int core : cores) {
            if (!allowed.get(core)) {
                throw Settings.invalid(c, path, "cores this process may run on (" + AllowedCpus.describe(allowed)
                        + ", Cpus_allowed_list of /proc/self/status), or an empty list");
            }
        }
    }

    /** Checks the settings that depend on how many receive queues the source opened. */
    public void checkAgainstQueues(final Config c, final int queues) {
        if (!receiveCores.isEmpty() && receiveCores.size() < queues) {
            throw Settings.invalid(c, "probe.receive.cores",
                    "one core per receive queue (" + queues + " queues), or an empty list");
        }
        if (!transmitCores.isEmpty() && transmitCores.size() < queues * workersPerRing) {
            throw Settings.invalid(c, "probe.transmit.cores",
                    "one core per transmit worker (" + queues * workersPerRing + " workers), or an empty list");
        }
    }
}
