package dev.probe.sink.kafka;

import dev.probe.broker.CapturedLogs;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kafka client's warnings: one line per kind (logger and message pattern, whichever client logged
 * it) per interval, and none at all while a sink starts.
 */
class ClientLogsTest {
    private static final Logger SENDER = LogManager.getLogger("org.apache.kafka.clients.producer.internals.Sender");
    private static final Logger CLIENT = LogManager.getLogger("org.apache.kafka.clients.NetworkClient");

    @Test
    void eachKindOfClientWarningIsShownOncePerIntervalWithItsText() {
        final ClientLogs logs = ClientLogs.install(Duration.ofHours(1));
        try (CapturedLogs captured = new CapturedLogs()) {
            // The client formats its lines itself, prefix and numbers included, as these are.
            for (int i = 0; i < 1000; i++) {
                SENDER.warn("[Producer clientId=probe-tx-0-" + (i % 3) + "] Got error produce response in correlation id " + i
                        + " on topic-partition pcap-" + (i % 4) + ", splitting and retrying (" + (Integer.MAX_VALUE - i)
                        + " attempts left). Error: MESSAGE_TOO_LARGE");
            }
            for (int i = 0; i < 10; i++) {
                SENDER.warn("[Producer clientId=probe-tx-0-0] Received invalid metadata error in produce request on partition"
                        + " pcap-" + i + " due to org.apache.kafka.common.errors.NetworkException: Disconnected from node 1."
                        + " Going to request metadata update now");
            }
            for (int i = 0; i < 50; i++) {
                CLIENT.error("[Producer clientId=probe-tx-0-0] Connection to node -1 (/127.0.0.1:" + (40000 + i) + ") failed"
                        + " authentication due to: Authentication failed during authentication due to invalid credentials"
                        + " with SASL mechanism SCRAM-SHA-512");
            }
            final List<String> lines = captured.lines("org.apache.kafka");
            assertEquals(3, lines.size(), lines.toString());
            assertTrue(lines.get(0).contains("correlation id 0 on topic-partition pcap-0") && lines.get(0).contains("MESSAGE_TOO_LARGE"),
                    lines.get(0));
            assertTrue(lines.get(1).contains("NetworkException: Disconnected from node 1"), lines.get(1));
            assertTrue(lines.get(2).startsWith("ERROR org.apache.kafka.clients.NetworkClient") && lines.get(2).contains("SCRAM-SHA-512"),
                    lines.get(2));
        }
        ClientLogs.install(Duration.ZERO);
    }

    @Test
    void nothingOfTheClientIsShownWhileQuiet() {
        final ClientLogs logs = ClientLogs.install(Duration.ofHours(1));
        try (CapturedLogs captured = new CapturedLogs()) {
            try (ClientLogs.Quiet quiet = logs.quiet()) {
                CLIENT.error("[Producer clientId=probe-tx-0-0] Connection to node {} ({}) failed authentication: quiet test", -1, "x");
                LogManager.getLogger("org.apache.kafka.common.security.ssl.DefaultSslEngineFactory")
                        .error("Modification time of key store could not be obtained: {}", "/nowhere", new RuntimeException("nope"));
            }
            LogManager.getLogger("dev.probe.sink.kafka.Test").warn("the probe's own line");
            assertEquals(List.of(), captured.lines("org.apache.kafka"));
            assertEquals(1, captured.lines("dev.probe").size());
            CLIENT.warn("[Producer clientId=probe-tx-0-0] after the quiet scope: {}", "shown");
            assertEquals(1, captured.lines("org.apache.kafka").size());
        }
    }
}
