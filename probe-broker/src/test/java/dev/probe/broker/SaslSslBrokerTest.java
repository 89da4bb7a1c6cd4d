package dev.probe.broker;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The SASL_SSL listener: a client that trusts the test CA and knows a SCRAM-SHA-512 password is let in;
 * a wrong password and an untrusted certificate are told apart by the client's exceptions.
 */
class SaslSslBrokerTest {

    @Test
    void scramOverTlsLetsTheRightUserInAndRefusesAWrongPasswordOrAnUntrustedCertificate(@TempDir final Path dir)
            throws Exception {
        final TestCertificates certs = TestCertificates.create(dir, "store-pw-1");
        final EmbeddedKafkaBroker.SaslSsl saslSsl = new EmbeddedKafkaBroker.SaslSsl(certs.keystore(), certs.password(),
                Map.of("alice", "alice-pw-1"));
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.defaults().withSaslSsl(saslSsl))) {
            try (Admin admin = Admin.create(client(broker, certs.truststore(), "alice-pw-1"))) {
                assertEquals(1, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size());
            }
            try (Admin admin = Admin.create(client(broker, certs.truststore(), "wrong"))) {
                final ExecutionException e = assertThrows(ExecutionException.class,
                        () -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS));
                assertInstanceOf(SaslAuthenticationException.class, e.getCause());
            }
            try (Admin admin = Admin.create(client(broker, certs.foreignTruststore(), "alice-pw-1"))) {
                final ExecutionException e = assertThrows(ExecutionException.class,
                        () -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS));
                assertInstanceOf(SslAuthenticationException.class, e.getCause());
            }
        }
    }

    private static Properties client(final EmbeddedKafkaBroker broker, final Path truststore, final String password) {
        final Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.saslSslBootstrapServers());
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", "SCRAM-SHA-512");
        p.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\""
                + " password=\"" + password + "\";");
        p.put("ssl.truststore.location", truststore.toString());
        p.put("ssl.truststore.password", "store-pw-1");
        p.put("ssl.truststore.type", "PKCS12");
        return p;
    }
}
