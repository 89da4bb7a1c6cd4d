package dev.probe.sink.kafka;

/** {@code probe.sink.kafka.record-timestamp}: which time each record's Kafka timestamp carries. */
public enum RecordTimestamp {
    /** The packet's capture time (in milliseconds); the broker judges retention and its time window by it. */
    CAPTURE,
    /** The time the probe sends the record (the producer fills it in); the key still holds the capture time. */
    SEND
}
