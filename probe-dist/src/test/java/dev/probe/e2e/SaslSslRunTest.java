package dev.probe.e2e;

import dev.probe.broker.CapturedLogs;
import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.broker.KafkaTestSupport;
import dev.probe.broker.TestCertificates;
import dev.probe.testkit.SharedCaptures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The probe command against a SASL_SSL listener with SCRAM-SHA-512 and a certificate authority made in
 * the test, configured as a user would, in a file: a run delivers a capture; a wrong password ends
 * start-up with one line naming the credentials setting; and no password appears in any output: the
 * command's standard output and error, every log line, the summary file, or {@code probe check}.
 */
class SaslSslRunTest {
    private static final String PASSWORD = "alice-S3cret-e2e";
    private static final String WRONG_PASSWORD = "mallory-Wr0ng-e2e";
    private static final String STORE_PASSWORD = "st0re-S3cret-e2e";
    @TempDir
    static Path dir;
    private static EmbeddedKafkaBroker broker;
    private static TestCertificates certs;

    @BeforeAll
    static void startBroker() {
        SharedCaptures.require();
        certs = TestCertificates.create(dir, STORE_PASSWORD);
        broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.defaults().withAutoCreateTopics(false)
                .withSaslSsl(new EmbeddedKafkaBroker.SaslSsl(certs.keystore(), STORE_PASSWORD, Map.of("alice", PASSWORD))));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    /** A configuration file as a user writes it (mode 0600: it holds secrets). */
    private static Path config(final String name, final String topic, final String password) throws Exception {
        final Path file = dir.resolve(name);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, """
                probe {
                  receive.idle-strategy = sleep
                  transmit.idle-strategy = sleep
                  stats.interval = 0s
                  sink {
                    type = kafka
                    kafka {
                      topic = %s
                      delivery = durable
                      startup-timeout = 10s
                      producer {
                        bootstrap.servers = "%s"
                        security.protocol = SASL_SSL
                        sasl.mechanism = SCRAM-SHA-512
                        sasl.jaas.config = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\\"alice\\" password=\\"%s\\";"
                        ssl.truststore.location = "%s"
                        ssl.truststore.password = "%s"
                        ssl.truststore.type = PKCS12
                      }
                    }
                  }
                }
                """.formatted(topic, broker.saslSslBootstrapServers(), password, certs.truststore(), STORE_PASSWORD));
        return file;
    }

    private static void assertNoSecret(final List<String> outputs) {
        for (final String output : outputs) {
            for (final String secret : List.of(PASSWORD, WRONG_PASSWORD, STORE_PASSWORD)) {
                assertFalse(output.contains(secret), "a secret in: " + output);
            }
        }
    }

    @Test
    void aRunDeliversOverSaslSslAndCheckDescribesTheDestinationWithoutShowingASecret() throws Exception {
        broker.createTopic("secure", 1);
        final SharedCaptures.Entry entry = SharedCaptures.entry("afs.pcap");
        final Path conf = config("good.conf", "secure", PASSWORD);
        final Path summary = dir.resolve("good.json");
        final List<String> outputs = new ArrayList<>();
        try (CapturedLogs logs = new CapturedLogs()) {
            final Probe.Cli run = Probe.cli("run", "-c", conf.toString(), "-r", entry.path().toString(),
                    "--summary", summary.toString());
            assertEquals(0, run.exit(), run.stderr());
            final String json = Files.readString(summary);
            assertEquals(entry.packets(), Probe.json(json, "delivered"), json);
            final Probe.Cli check = Probe.cli("check", "--connect", "-c", conf.toString(),
                    "--set", "probe.source.pcap.file=\"" + entry.path() + "\"");
            assertEquals(0, check.exit(), check.stderr());
            assertTrue(check.stdout().contains("probe.sink.kafka.producer.sasl.jaas.config = \"<redacted>\""), check.stdout());
            assertTrue(check.stdout().contains("#   brokers: 1 (" + broker.saslSslBootstrapServers() + ")"), check.stdout());
            assertTrue(check.stdout().contains("#   topic secure: 1 partition(s)"), check.stdout());
            outputs.addAll(List.of(run.stdout(), run.stderr(), json, check.stdout(), check.stderr()));
            outputs.addAll(logs.lines());
        }
        assertNoSecret(outputs);
        assertEquals(entry.packets(), KafkaTestSupport.recordCount(broker.bootstrapServers(), "secure"));
    }

    @Test
    void aWrongPasswordEndsStartUpWithOneLineNamingTheCredentialsSettingAndNoSecret() throws Exception {
        final SharedCaptures.Entry entry = SharedCaptures.entry("afs.pcap");
        final Path conf = config("wrong.conf", "secure", WRONG_PASSWORD);
        final Path summary = dir.resolve("wrong.json");
        final Probe.Cli run;
        final List<String> logLines;
        try (CapturedLogs logs = new CapturedLogs()) {
            run = Probe.cli("run", "-c", conf.toString(), "-r", entry.path().toString(), "--summary", summary.toString());
            logLines = logs.lines();
        }
        assertEquals(2, run.exit(), run.stderr());
        final String error = "probe: Kafka at " + broker.saslSslBootstrapServers() + " refused the credentials:"
                + " Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512"
                + " (probe.sink.kafka.producer.sasl.jaas.config)";
        final List<String> lines = run.stderrLines();
        assertEquals(error, lines.get(lines.size() - 1), run.stderr());
        assertEquals(1, lines.stream().filter(l -> l.contains("refused") || l.contains("uthentication")).count(), run.stderr());
        assertTrue(lines.stream().allMatch(l -> l.startsWith("probe: ")), "only the probe's own lines: " + run.stderr());
        assertEquals(List.of(), logLines.stream().filter(l -> l.contains("org.apache.kafka")).toList(),
                "the client adds no line of its own");
        assertNoSecret(List.of(run.stdout(), run.stderr(), Files.readString(summary), String.join("\n", logLines)));
    }
}
