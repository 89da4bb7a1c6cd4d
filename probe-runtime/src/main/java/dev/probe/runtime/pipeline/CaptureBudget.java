package dev.probe.runtime.pipeline;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How many packets the run may still capture ({@code --max-packets}), shared by the receive workers so
 * that the run stops after exactly that many. Unlimited when created with 0.
 */
public final class CaptureBudget {
    private final boolean limited;
    private final long maxPackets;
    private final AtomicLong remaining;
    private final AtomicLong captured = new AtomicLong();

    /** @param maxPackets the most packets to capture, or 0 for no limit */
    public CaptureBudget(final long maxPackets) {
        limited = maxPackets > 0;
        this.maxPackets = maxPackets;
        remaining = new AtomicLong(maxPackets);
    }

    /**
     * Takes up to {@code wanted} packets of allowance. Receive worker threads.
     *
     * @return how many may be captured now; 0 once the budget is spent
     */
    public int claim(final int wanted) {
        if (!limited) {
            return wanted;
        }
        while (true) {
            final long left = remaining.get();
            if (left <= 0) {
                return 0;
            }
            final int take = (int) Math.min(wanted, left);
            if (remaining.compareAndSet(left, left - take)) {
                return take;
            }
        }
    }

    /** Gives back allowance that a poll did not use. */
    public void refund(final int unused) {
        if (limited && unused > 0) {
            remaining.addAndGet(unused);
        }
    }

    /** Records packets actually captured out of a claim. */
    public void captured(final int packets) {
        if (limited) {
            captured.addAndGet(packets);
        }
    }

    /** Whether a limit was set and that many packets have been captured. */
    public boolean isSpent() {
        return limited && captured.get() >= maxPackets;
    }
}
