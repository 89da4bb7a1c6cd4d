package dev.probe.runtime.pipeline;

/** Counters of one receive worker. */
public enum ReceiveCounter {
    /** Packets the source handed to the worker. */
    PACKETS,
    /** Polls that returned at least one packet. */
    BURSTS,
    /** Polls that returned a full burst, a sign the queue is under pressure. */
    FULL_BURSTS,
    /** Immediate polls made because the previous one was full. */
    REPEATS,
    /** Packets of a live source dropped because the transmit ring was full. */
    RING_FULL
}
