package dev.probe.runtime.pipeline;

/** Counters of one transmit worker. */
public enum TransmitCounter {
    /** Packets taken from the ring. */
    TAKEN,
    /** Bursts handed to the sink. */
    BURSTS,
    /** Packets taken from the ring after the shutdown timeout and dropped unsent. */
    SHUTDOWN_DROPS,
    /** Packets of a burst whose send threw before the sink counted them as sent. */
    SEND_FAILED
}
