package dev.probe.sink.kafka.export;

import java.util.Map;

/**
 * What {@link TopicExporter} did. Every record read is written or counted in exactly one of the
 * other counts.
 *
 * @param packetsWritten packets written to the pcap output
 * @param skipped records that are not packets: a key that is not 8 bytes, no value, or a
 *        {@code link-type} header that is not 4 bytes
 * @param otherLinkType packets of another link type than the one selected (see
 *        {@link ExportOptions#linkType()})
 * @param filtered packets the BPF filter did not match
 * @param linkType the link type written in the pcap header
 * @param endOffsets per partition, the offset the export read up to (exclusive): the end offsets taken
 *        when it started, or, when following new records, where it stopped
 */
public record ExportResult(long packetsWritten, long skipped, long otherLinkType, long filtered, int linkType,
                           Map<Integer, Long> endOffsets) {
    /** Copies the map. */
    public ExportResult {
        endOffsets = Map.copyOf(endOffsets);
    }
}
