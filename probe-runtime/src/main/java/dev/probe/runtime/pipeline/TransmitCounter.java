package dev.probe.runtime.pipeline;

/** Counters of one transmit worker, in packets. */
public enum TransmitCounter {
    /** Packets taken from the ring. */
    TAKEN,
    /** Bursts handed to the sink. */
    BURSTS,
    /** Packets taken from the ring after the stop's deadline and dropped unsent. */
    SHUTDOWN_DROPS,
    /** Packets of a burst whose send threw before the sink counted them as sent (a broken sink). */
    SINK_ERROR_UNSENT,
    /** Packets the sink counted as sent but left neither delivered nor failed when it closed (a broken sink). */
    SINK_ERROR_UNRESOLVED
}
