package dev.probe.source.dpdk.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A linear map from a device's clock (the units of its receive timestamps, {@code rte_dynfield_timestamp},
 * read with {@code rte_eth_read_clock}) to the host's {@link System#nanoTime()}, calibrated once at open
 * by reading both clocks twice an interval apart. Each reading brackets the device read between two host
 * reads and keeps the tightest of a few tries, so the rate is accurate to about a microsecond over the
 * interval. It is not re-calibrated: converted times drift from the host clock by the device
 * oscillator's error (typically a few parts per million). Immutable.
 *
 * @param anchorTicks device clock at the anchor
 * @param anchorNanoTime host {@code System.nanoTime()} at the anchor
 * @param nanosPerTick host nanoseconds per device tick
 */
public record DeviceClock(long anchorTicks, long anchorNanoTime, double nanosPerTick) {
    /** Tries per reading; the one with the shortest host bracket wins. */
    private static final int TRIES = 8;
    /** Plausible device clocks run between 1 MHz and 100 GHz. */
    private static final double MIN_NANOS_PER_TICK = 0.01;
    private static final double MAX_NANOS_PER_TICK = 1000;

    /** Reads the device clock. */
    @FunctionalInterface
    public interface Reader {
        /**
         * @param ticks receives the clock in {@code ticks[0]}
         * @return 0, or a negative errno ({@code -ENOTSUP} when the driver has no clock to read)
         */
        int read(long[] ticks);
    }

    /** Why the device clock cannot be used; {@link #status()} is the failing call's result, or 0. */
    public static final class Unusable extends Exception {
        private final int status;

        Unusable(final String message, final int status) {
            super(message, null, false, false);
            this.status = status;
        }

        /** The negative errno rte_eth_read_clock returned, or 0 when the clock read but made no sense. */
        public int status() {
            return status;
        }
    }

    /** The host {@code System.nanoTime()} at device clock {@code ticks}; wraps of the 64-bit counter are fine. */
    public long nanoTime(final long ticks) {
        return anchorNanoTime + (long) ((ticks - anchorTicks) * nanosPerTick);
    }

    /** Calibrates the clock of started {@code port} against {@link System#nanoTime()} over {@code interval}. */
    public static DeviceClock calibrate(final int port, final Duration interval) throws Unusable {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            return calibrate(ticks -> {
                final int rc = Rte.readClock(port, out);
                ticks[0] = out.get(ValueLayout.JAVA_LONG, 0);
                return rc;
            }, System::nanoTime, interval);
        }
    }

    /** Calibrates {@code device} against {@code host} over {@code interval}, sleeping in between. */
    public static DeviceClock calibrate(final Reader device, final LongSupplier host, final Duration interval)
            throws Unusable {
        final long[] first = read(device, host);
        try {
            Thread.sleep(interval);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unusable("interrupted while calibrating the device clock", 0);
        }
        final long[] second = read(device, host);
        final long ticks = second[0] - first[0];
        final long nanos = second[1] - first[1];
        if (ticks <= 0 || nanos <= 0) {
            throw new Unusable("the device clock (rte_eth_read_clock) did not advance: " + ticks + " ticks in "
                    + nanos + " ns", 0);
        }
        final double nanosPerTick = (double) nanos / ticks;
        if (nanosPerTick < MIN_NANOS_PER_TICK || nanosPerTick > MAX_NANOS_PER_TICK) {
            throw new Unusable(String.format(Locale.ROOT, "the device clock (rte_eth_read_clock) runs at"
                    + " an implausible %.3f MHz", 1e3 / nanosPerTick), 0);
        }
        return new DeviceClock(second[0], second[1], nanosPerTick);
    }

    /** {device ticks, host nanoTime in the middle of the tightest bracket}. */
    private static long[] read(final Reader device, final LongSupplier host) throws Unusable {
        final long[] ticks = new long[1];
        long bestTicks = 0;
        long bestHost = 0;
        long bestSpan = Long.MAX_VALUE;
        for (int i = 0; i < TRIES; i++) {
            final long before = host.getAsLong();
            final int rc = device.read(ticks);
            final long after = host.getAsLong();
            if (rc != 0) {
                throw new Unusable("the device clock cannot be read (rte_eth_read_clock)", rc);
            }
            if (after - before < bestSpan) {
                bestSpan = after - before;
                bestTicks = ticks[0];
                bestHost = before + (after - before) / 2;
            }
        }
        return new long[] {bestTicks, bestHost};
    }
}
