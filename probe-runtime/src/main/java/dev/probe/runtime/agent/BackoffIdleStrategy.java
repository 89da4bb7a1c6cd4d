package dev.probe.runtime.agent;

import java.util.concurrent.locks.LockSupport;

/**
 * Spins, then yields, then parks for exponentially longer periods up to a maximum; any work resets it.
 */
public final class BackoffIdleStrategy implements IdleStrategy {
    private static final long MIN_PARK_NANOS = 1_000;

    private final int maxSpins;
    private final int maxYields;
    private final long maxParkNanos;
    private int spins;
    private int yields;
    private long parkNanos = MIN_PARK_NANOS;

    /**
     * @param maxSpins idle rounds spent spinning
     * @param maxYields idle rounds spent yielding after that
     * @param maxParkNanos the longest park
     */
    public BackoffIdleStrategy(final int maxSpins, final int maxYields, final long maxParkNanos) {
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.maxParkNanos = Math.max(MIN_PARK_NANOS, maxParkNanos);
    }

    @Override
    public void idle(final int workCount) {
        if (workCount > 0) {
            spins = 0;
            yields = 0;
            parkNanos = MIN_PARK_NANOS;
        } else if (spins < maxSpins) {
            spins++;
            Thread.onSpinWait();
        } else if (yields < maxYields) {
            yields++;
            Thread.yield();
        } else {
            LockSupport.parkNanos(parkNanos);
            parkNanos = Math.min(parkNanos << 1, maxParkNanos);
        }
    }
}
