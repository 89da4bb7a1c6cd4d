package dev.probe.runtime.agent;

/** Never waits: spins with {@link Thread#onSpinWait()}. Lowest latency; burns a whole core. */
public final class BusySpinIdleStrategy implements IdleStrategy {
    @Override
    public void idle(final int workCount) {
        if (workCount == 0) {
            Thread.onSpinWait();
        }
    }
}
