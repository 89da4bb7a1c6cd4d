package dev.probe.spi;

/**
 * Why a sink could not deliver a packet. Every failed packet is counted under exactly one of these;
 * {@link #key()} is the name stats lines, the summary and metrics use.
 */
public enum SinkFailure {
    /** The destination did not acknowledge the packet within the sink's delivery timeout. */
    TIMEOUT("sink-timeout"),
    /** The destination could not be reached (no connection, no metadata) for longer than the sink waits. */
    UNAVAILABLE("sink-unavailable"),
    /** The client's own send buffer stayed full for longer than the sink's bound. */
    BUFFER_EXHAUSTED("sink-buffer-exhausted"),
    /** The packet is larger than the destination accepts in one message. */
    RECORD_TOO_LARGE("sink-record-too-large"),
    /** The destination refused the packet's time stamp (too old, too far in the future). */
    INVALID_TIMESTAMP("sink-invalid-timestamp"),
    /** The destination refused the credentials or the permission to write. */
    NOT_AUTHORIZED("sink-not-authorized"),
    /** The destination's storage is full. */
    NO_SPACE("sink-no-space"),
    /** The destination could not write the packet (an I/O error, a folder that cannot be written). */
    IO_ERROR("sink-io-error"),
    /** Still in flight when the sink was closed. */
    SHUTDOWN("sink-shutdown"),
    /** Any other error the destination or client reported. */
    OTHER("sink-other");

    private final String key;

    SinkFailure(final String key) {
        this.key = key;
    }

    /** The name of this reason in stats lines, the summary and metrics, such as {@code sink-timeout}. */
    public String key() {
        return key;
    }
}
