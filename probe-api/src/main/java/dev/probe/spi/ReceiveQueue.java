package dev.probe.spi;

import dev.probe.api.PacketBurst;

/**
 * One receive queue of a {@link CaptureSource}, polled by exactly one receive worker thread.
 */
public interface ReceiveQueue {

    /** Returned by {@link #poll} when a finite source (a file) has nothing more to give. */
    int END_OF_INPUT = -1;

    /** This queue's index in {@link CaptureSource#queues()}. */
    int id();

    /**
     * Called once on the receive worker's thread before its first poll (thread registration, pinning
     * of native state). Does nothing by default.
     */
    default void onStart() {
    }

    /**
     * Called once on the receive worker's thread after its last poll, once it holds no packet (undoes
     * {@link #onStart()}). Does nothing by default.
     */
    default void onStop() {
    }

    /**
     * Appends up to {@link PacketBurst#remaining()} packets without blocking and without
     * allocating, with {@link PacketBurst#add}, after any packets the burst already holds: the runtime
     * may fill one burst over several polls, so a source never clears it or writes by index. Each packet
     * carries its capture time: the source's own when it has one, otherwise the clock read once for the
     * whole poll.
     *
     * @return how many packets were appended (0 when none are waiting), or {@link #END_OF_INPUT}
     * @throws dev.probe.api.ProbeException when the input is damaged; every packet read before the
     *         damage has already been handed out by earlier polls
     */
    int poll(PacketBurst burst);
}
