package dev.probe.sink.kafka;

import dev.probe.api.ProbeException;
import dev.probe.broker.CapturedLogs;
import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.broker.KafkaTestSupport;
import dev.probe.broker.TestCertificates;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkFactory;
import dev.probe.testkit.TestBatch;
import dev.probe.testkit.TestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sink against a SASL_SSL listener (SCRAM-SHA-512 over TLS, a CA made for the test): it delivers
 * with the right credentials, and each way of getting the security wrong fails start-up with one line
 * that names the security setting at fault and says what failed, with no line of the client's and no
 * secret anywhere.
 */
class KafkaSinkSecurityTest {
    private static final String PASSWORD = "alice-S3cret-pw";
    private static final String WRONG_PASSWORD = "mallory-Wr0ng-pw";
    private static final String STORE_PASSWORD = "st0re-S3cret";
    private static Path folder;
    private static TestCertificates certs;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() throws IOException {
        folder = Files.createTempDirectory("probe-sasl-ssl-");
        certs = TestCertificates.create(folder, STORE_PASSWORD);
        broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.defaults().withAutoCreateTopics(false)
                .withSaslSsl(new EmbeddedKafkaBroker.SaslSsl(certs.keystore(), STORE_PASSWORD, Map.of("alice", PASSWORD))));
        broker.createTopic("secure", 1);
    }

    @AfterAll
    static void stopBroker() throws IOException {
        if (broker != null) {
            broker.close();
        }
        try (var files = Files.list(folder)) {
            for (final Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(folder);
    }

    private static Map<String, Object> secure(final String password, final Path truststore, final Object... more) {
        final Map<String, Object> m = new HashMap<>();
        m.put("probe.sink.kafka.topic", "secure");
        m.put("probe.sink.kafka.startup-timeout", "10s");
        m.put("probe.sink.kafka.producer.bootstrap.servers", broker.saslSslBootstrapServers());
        m.put("probe.sink.kafka.producer.security.protocol", "SASL_SSL");
        m.put("probe.sink.kafka.producer.sasl.mechanism", "SCRAM-SHA-512");
        m.put("probe.sink.kafka.producer.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\" password=\"" + password + "\";");
        m.put("probe.sink.kafka.producer.ssl.truststore.location", truststore.toString());
        m.put("probe.sink.kafka.producer.ssl.truststore.password", STORE_PASSWORD);
        m.put("probe.sink.kafka.producer.ssl.truststore.type", "PKCS12");
        for (int i = 0; i < more.length; i += 2) {
            m.put((String) more[i], more[i + 1]);
        }
        return m;
    }

    private static SinkFactory configure(final Map<String, Object> settings) {
        return new KafkaSinkProvider().configure(KafkaTestSupport.config(settings));
    }

    /** Creates a sink that must fail; returns its one-line message after checking no client line and no secret showed. */
    private static String refusal(final Map<String, Object> settings) {
        final List<String> output = new ArrayList<>();
        final ProbeException e;
        try (CapturedLogs logs = new CapturedLogs()) {
            e = assertThrows(ProbeException.class, () -> configure(settings).create(TestContext.worker("tx-0-0")));
            assertEquals(List.of(), logs.lines("org.apache.kafka"), "the client adds no line of its own");
            output.addAll(logs.lines());
        }
        output.add(e.getMessage());
        for (Throwable t = e; t != null; t = t.getCause()) {
            output.add(String.valueOf(t.getMessage()));
        }
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertNoSecret(output);
        return e.getMessage();
    }

    private static void assertNoSecret(final List<String> output) {
        for (final String line : output) {
            for (final String secret : List.of(PASSWORD, WRONG_PASSWORD, STORE_PASSWORD)) {
                assertFalse(line.contains(secret), "a secret in: " + line);
            }
        }
    }

    @Test
    void deliversOverSaslSslWithScramAndTheTestCa() {
        try (CapturedLogs logs = new CapturedLogs();
             Sink sink = configure(secure(PASSWORD, certs.truststore(), "probe.sink.kafka.delivery", "durable"))
                     .create(TestContext.worker("tx-0-0"))) {
            final TestBatch burst = new TestBatch();
            final long now = System.currentTimeMillis() * 1_000_000L;
            for (int i = 0; i < 20; i++) {
                burst.add(now + i * 1_000L, TestBatch.frame(100, i), 100);
            }
            sink.send(burst);
            assertTrue(sink.flush(Duration.ofSeconds(30)));
            assertEquals(20, sink.counters().delivered());
            assertEquals(0, sink.counters().failed());
            assertNoSecret(logs.lines());
        }
        assertEquals(20, KafkaTestSupport.consume(broker.bootstrapServers(), "secure", 20).size());
    }

    @Test
    void aWrongPasswordIsOneLineNamingTheCredentialsSetting() {
        assertEquals("Kafka at " + broker.saslSslBootstrapServers() + " refused the credentials: Authentication failed"
                + " during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512"
                + " (probe.sink.kafka.producer.sasl.jaas.config)", refusal(secure(WRONG_PASSWORD, certs.truststore())));
    }

    @Test
    void aMissingTrustStoreIsOneLineNamingTheTrustStoreSetting() {
        final Path missing = folder.resolve("missing.p12");
        assertEquals("The TLS trust store " + missing + " does not exist (probe.sink.kafka.producer.ssl.truststore.location)",
                refusal(secure(PASSWORD, missing)));
    }

    @Test
    void aTrustStoreWithAWrongPasswordIsOneLineNamingItsPasswordSetting() {
        final String message = refusal(secure(PASSWORD, certs.truststore(),
                "probe.sink.kafka.producer.ssl.truststore.password", WRONG_PASSWORD));
        assertEquals("The TLS trust store " + certs.truststore() + " cannot be opened with the password given"
                + " (probe.sink.kafka.producer.ssl.truststore.password)", message);
    }

    @Test
    void aBrokerCertificateFromAnotherAuthorityFailsTheHandshakeNamingTheTrustSettings() {
        final String message = refusal(secure(PASSWORD, certs.foreignTruststore()));
        assertTrue(message.startsWith("TLS with Kafka at " + broker.saslSslBootstrapServers() + " failed: the broker's"
                + " certificate is not signed by a certificate authority in the trust store (unable to find valid"
                + " certification path to requested target)"), message);
        assertTrue(message.endsWith("(probe.sink.kafka.producer.ssl.truststore.location,"
                + " probe.sink.kafka.producer.ssl.endpoint.identification.algorithm)"), message);
        assertFalse(message.contains("probe.sink.kafka.topic"), message);
    }
}
