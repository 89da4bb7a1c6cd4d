package dev.probe.runtime.pipeline;

/** Counters of one transmit worker, in packets. */
public enum TransmitCounter {
    /** Packets taken from the ring. */
    TAKEN,
    /** Batches handed to the sink: a ring burst, or the part of one the sink had room for. */
    BURSTS,
    /** Packets dropped unsent at the stop's deadline: left on the ring, or the rest of a burst the worker held. */
    SHUTDOWN_DROPS,
    /**
     * Packets a broken sink never counted as sent: those of the batch whose send threw, and the rest of
     * the burst that batch came from.
     */
    SINK_ERROR_UNSENT,
    /** Packets the sink counted as sent but left neither delivered nor failed when it closed (a broken sink). */
    SINK_ERROR_UNRESOLVED
}
