package dev.probe.runtime.agent;

import java.util.concurrent.locks.LockSupport;

/** Parks for a fixed period after every idle round. Kindest to other processes; adds latency. */
public final class SleepingIdleStrategy implements IdleStrategy {
    private final long periodNanos;

    /** @param periodNanos how long to park after an idle round */
    public SleepingIdleStrategy(final long periodNanos) {
        this.periodNanos = periodNanos;
    }

    @Override
    public void idle(final int workCount) {
        if (workCount == 0) {
            LockSupport.parkNanos(periodNanos);
        }
    }
}
