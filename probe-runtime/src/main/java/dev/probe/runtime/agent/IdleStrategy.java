package dev.probe.runtime.agent;

/**
 * How a worker waits when a round found no work. Owned by one worker thread; not thread-safe.
 */
public interface IdleStrategy {

    /**
     * Called after every round with what it did: resets on work, waits a little longer on each idle
     * round.
     */
    void idle(int workCount);
}
