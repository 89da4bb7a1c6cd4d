package dev.probe.spi;

import dev.probe.api.PacketBurst;

import java.lang.foreign.MemorySegment;

/**
 * Gives access to the bytes of packets a {@link CaptureSource} produced, and takes them back.
 *
 * <p>Thread-safe: called by any worker that holds a packet (the receive worker when its transmit ring
 * is full, a transmit worker after sending). Each packet is released exactly once.
 */
public interface PacketMemory {

    /**
     * Called once on a transmit worker's thread before it first reads or releases packets, so that the
     * source can prepare per-thread state (DPDK registers the thread for its mempool cache). Does
     * nothing by default.
     */
    default void onThreadStart() {
    }

    /** Called once on a transmit worker's thread after its last release; undoes {@link #onThreadStart()}. */
    default void onThreadStop() {
    }

    /**
     * The captured bytes of a packet, as a view of the source's own memory where it is off-heap. The
     * view is valid until the packet is released.
     *
     * @param handle the packet's handle from {@link PacketBurst#handle(int)}
     * @param capturedLength its captured length from {@link PacketBurst#capturedLength(int)}
     */
    MemorySegment data(long handle, int capturedLength);

    /** Gives back packets {@code [from, from + count)} of {@code burst} to the source. */
    void release(PacketBurst burst, int from, int count);
}
