package dev.probe.sink.kafka;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The record layout's helpers agree with what the Kafka client computes and writes. */
class PacketRecordFormatTest {

    @Test
    void theRecordUpperBoundIsTheOneTheProducerComputesAndNeverBelowTheBatchWritten() {
        for (final int length : new int[] {0, 1, 60, 63, 64, 100, 1514, 8191, 8192, 9000, 65535, 1_048_575, 1_048_576}) {
            for (final boolean wire : new boolean[] {false, true}) {
                for (final boolean link : new boolean[] {false, true}) {
                    final byte[] key = PacketRecordFormat.key(1_700_000_000_000_000L);
                    final byte[] value = new byte[length];
                    final List<Header> headers = new ArrayList<>();
                    if (wire) {
                        headers.add(new RecordHeader(PacketRecordFormat.WIRE_LENGTH_HEADER, PacketRecordFormat.wireLength(length + 5)));
                    }
                    if (link) {
                        headers.add(new RecordHeader(PacketRecordFormat.LINK_TYPE_HEADER, PacketRecordFormat.linkType(113)));
                    }
                    final Header[] array = headers.toArray(Header[]::new);
                    final int kafka = AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE,
                            CompressionType.NONE, key, value, array);
                    final int ours = PacketRecordFormat.recordUpperBound(length, wire, link);
                    assertEquals(kafka, ours, "length " + length + " wire " + wire + " link " + link);
                    final MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(ours + 64),
                            Compression.NONE, TimestampType.CREATE_TIME, 0L);
                    builder.append(1_700_000_000_000L, key, value, array);
                    assertTrue(builder.build().sizeInBytes() <= ours, "written batch within the bound");
                }
            }
        }
    }

    @Test
    void linkTypeHeaderValuesAreFourByteBigEndianUnsigned() {
        assertEquals(113, PacketRecordFormat.linkType(PacketRecordFormat.linkType(113)));
        assertEquals(0xFFFF_FFFFL, PacketRecordFormat.linkType(new byte[] {-1, -1, -1, -1}));
        assertEquals(-1, PacketRecordFormat.linkType(new byte[] {1, 2}));
        assertEquals(-1, PacketRecordFormat.linkType(null));
    }
}
