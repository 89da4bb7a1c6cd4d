package dev.probe.spi;

/**
 * Why a sink could not deliver a packet. Every failed packet is counted under exactly one of these.
 */
public enum SinkFailure {
    /** The destination did not acknowledge the packet within the delivery timeout. */
    TIMEOUT("sink-timeout"),
    /** The client's own send buffer was full for longer than the configured bound. */
    BUFFER_EXHAUSTED("sink-buffer-exhausted"),
    /** The packet is larger than the destination accepts in one message. */
    RECORD_TOO_LARGE("sink-record-too-large"),
    /** Still in flight when the sink was closed at the end of the shutdown timeout. */
    SHUTDOWN("sink-shutdown"),
    /** Any other error the destination or client reported. */
    OTHER("sink-other");

    private final String key;

    SinkFailure(final String key) {
        this.key = key;
    }

    /** The name of this reason in stats lines and the summary, such as {@code sink-timeout}. */
    public String key() {
        return key;
    }
}
