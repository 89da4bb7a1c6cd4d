package dev.probe.testkit;

/**
 * One packet as a destination holds it, read back by a {@link Destination.Readback} so that the
 * {@link SinkContractTest} can compare it with what was sent.
 *
 * @param timestampNanos its capture time in nanoseconds since 1970, at the resolution the sink keeps
 *        (see {@link SinkContractTest#timestampResolution()}); a Kafka key of microseconds is read back as
 *        {@code micros * 1000}
 * @param wireLength its length on the wire, or its captured length when the destination keeps no wire
 *        length (see {@link SinkContractTest#keepsWireLength()})
 * @param data its captured bytes (record equality compares this array by identity)
 */
public record Received(long timestampNanos, int wireLength, byte[] data) {
}
