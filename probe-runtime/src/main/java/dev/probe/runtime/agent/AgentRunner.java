package dev.probe.runtime.agent;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs one {@link Agent} on its own platform thread until asked to stop or until the agent is done,
 * idling with its {@link IdleStrategy} between rounds, optionally pinned to a core.
 *
 * <p>{@link #start()}, {@link #stop()} and {@link #awaitTermination} are called by the controlling
 * thread; the loop runs on the agent's thread. An exception thrown by the agent ends the loop and is
 * kept for {@link #failure()}.
 */
public final class AgentRunner implements Runnable {
    private final Agent agent;
    private final IdleStrategy idleStrategy;
    private final int core;
    private final Thread thread;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile Throwable failure;

    /**
     * @param core the core to pin the thread to, or -1 for none
     */
    public AgentRunner(final Agent agent, final IdleStrategy idleStrategy, final int core) {
        this.agent = agent;
        this.idleStrategy = idleStrategy;
        this.core = core;
        this.thread = new Thread(this, agent.roleName());
        // A worker never keeps the JVM alive on its own: the controlling thread decides when the run ends.
        this.thread.setDaemon(true);
    }

    /** Starts the agent's thread. */
    public void start() {
        thread.start();
    }

    @Override
    public void run() {
        try {
            if (core >= 0) {
                CpuAffinity.pinCurrentThread(core);
            }
            agent.onStart();
            while (running && !agent.isDone()) {
                idleStrategy.idle(agent.doWork());
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            try {
                agent.onClose();
            } catch (Throwable t) {
                if (failure == null) {
                    failure = t;
                }
            }
            terminated.countDown();
        }
    }

    /** Asks the loop to end after its current round. */
    public void stop() {
        running = false;
    }

    /** Whether the loop has ended. */
    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    /** Waits for the loop to end; returns false on timeout. */
    public boolean awaitTermination(final long timeout, final TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }

    /** What ended the loop abnormally, or null. */
    public Throwable failure() {
        return failure;
    }

    /** The agent this runner runs. */
    public Agent agent() {
        return agent;
    }
}
