package dev.probe.sink.kafka;

import dev.probe.spi.SinkFailure;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reason each of the client's exceptions is counted under, with the exact texts kafka-clients 4.1.1
 * gives them, and which refusals of send are worth retrying.
 */
class ClientErrorsTest {

    @Test
    void eachClientErrorIsCountedUnderItsOwnReason() {
        assertEquals(SinkFailure.UNAVAILABLE, ClientErrors.classify(new TimeoutException("Topic pcap not present in metadata after 5 ms.")));
        assertEquals(SinkFailure.BUFFER_EXHAUSTED, ClientErrors.classify(new BufferExhaustedException(
                "Failed to allocate 262144 bytes within the configured max blocking time 5 ms.")));
        assertEquals(SinkFailure.TIMEOUT, ClientErrors.classify(new TimeoutException(
                "Expiring 30 record(s) for pcap-0:120003 ms has passed since batch creation")));
        assertEquals(SinkFailure.RECORD_TOO_LARGE, ClientErrors.classify(new RecordTooLargeException(
                "The request included a message larger than the max message size the server will accept.")));
        assertEquals(SinkFailure.INVALID_TIMESTAMP, ClientErrors.classify(new InvalidTimestampException(
                "Timestamp 4294967296000 of message with offset 0 is out of range.")));
        assertEquals(SinkFailure.INVALID_TIMESTAMP, ClientErrors.classify(new InvalidRecordException(
                "Timestamp 4294967296000 of message with offset 3 is out of range. The timestamp should be within [1, 2]")));
        assertEquals(SinkFailure.OTHER, ClientErrors.classify(new InvalidRecordException("Compacted topic cannot accept message without key")));
        assertEquals(SinkFailure.NOT_AUTHORIZED, ClientErrors.classify(new TopicAuthorizationException(Set.of("pcap"))));
        assertEquals(SinkFailure.NOT_AUTHORIZED, ClientErrors.classify(new ClusterAuthorizationException("Cluster authorization failed.")));
        assertEquals(SinkFailure.NOT_AUTHORIZED, ClientErrors.classify(new SaslAuthenticationException("invalid credentials")));
        assertEquals(SinkFailure.OTHER, ClientErrors.classify(new NetworkException("Disconnected from node 1")));
    }

    @Test
    void aValidRecordRefusedWithItsBatchCountsUnderTheBatchsTimestampReason() {
        final KafkaException mate = new KafkaException(
                "Failed to append record because it was part of a batch which had one more more invalid records");
        assertTrue(ClientErrors.isBatchMate(mate));
        assertEquals(SinkFailure.INVALID_TIMESTAMP, ClientErrors.classify(mate));
        assertFalse(ClientErrors.isBatchMate(new KafkaException("Producer is closed forcefully.")));
        assertEquals(SinkFailure.OTHER, ClientErrors.classify(new KafkaException("Producer is closed forcefully.")));
    }

    @Test
    void onlyRefusalsThatMeanNotNowAreRetried() {
        assertTrue(ClientErrors.isTransient(new TimeoutException("Topic pcap not present in metadata after 5 ms.")));
        assertTrue(ClientErrors.isTransient(new BufferExhaustedException("Failed to allocate")));
        assertFalse(ClientErrors.isTransient(new RecordTooLargeException("too large")));
        assertFalse(ClientErrors.isTransient(new SaslAuthenticationException("invalid credentials")));
        assertTrue(ClientErrors.concernsOneRecord(new RecordTooLargeException("too large")));
        assertFalse(ClientErrors.concernsOneRecord(new TopicAuthorizationException(Set.of("pcap"))));
    }
}
