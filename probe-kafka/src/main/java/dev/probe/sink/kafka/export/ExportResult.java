package dev.probe.sink.kafka.export;

/**
 * What {@link TopicExporter} did.
 *
 * @param packetsWritten records written to the pcap file
 * @param skipped records read but not written because their key is not 8 bytes or their value is null
 */
public record ExportResult(long packetsWritten, long skipped) {
}
