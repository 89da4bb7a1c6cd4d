package dev.probe.runtime.agent;

/**
 * A unit of polling work run repeatedly on its own thread by an {@link AgentRunner}.
 */
public interface Agent {

    /** Called once on the agent's thread before the first {@link #doWork()}. */
    default void onStart() {
    }

    /**
     * Does one round of work without blocking.
     *
     * @return how much work was done (packets moved); 0 lets the idle strategy wait
     */
    int doWork();

    /** Called once on the agent's thread after the last {@link #doWork()}. */
    default void onClose() {
    }

    /** Whether the agent has finished on its own (its input ended); the runner then stops calling it. */
    default boolean isDone() {
        return false;
    }

    /** The thread's name, such as {@code rx-0} or {@code tx-0-1}. */
    String roleName();
}
