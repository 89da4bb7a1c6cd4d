package dev.probe.broker;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A self-signed certificate authority and a broker certificate it signed, made with public JDK APIs
 * only (no keytool, no BouncyCastle), written as PKCS12 stores for a SASL_SSL test broker and its
 * clients. The broker certificate names {@code localhost} and {@code 127.0.0.1}, so clients verify
 * the host name as they do by default.
 *
 * @param keystore the broker's key with its chain (broker certificate, then the CA)
 * @param truststore the CA's certificate, for clients
 * @param foreignTruststore the certificate of another CA, which did not sign the broker's: a client
 *        trusting only it fails the TLS handshake
 * @param password the password of every store and key
 */
public record TestCertificates(Path keystore, Path truststore, Path foreignTruststore, String password) {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration VALIDITY = Duration.ofDays(3650);

    /** Makes the authorities, the broker certificate and the three stores in {@code folder}. */
    public static TestCertificates create(final Path folder, final String password) {
        try {
            final KeyPair ca = rsa();
            final X509Certificate caCert = certificate("Probe Test CA", ca, "Probe Test CA", ca.getPrivate(), true);
            final KeyPair broker = rsa();
            final X509Certificate brokerCert = certificate("localhost", broker, "Probe Test CA", ca.getPrivate(), false);
            brokerCert.verify(ca.getPublic());
            final KeyPair other = rsa();
            final X509Certificate otherCert = certificate("Other Test CA", other, "Other Test CA", other.getPrivate(), true);

            final char[] pw = password.toCharArray();
            final KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("broker", broker.getPrivate(), pw, new Certificate[] {brokerCert, caCert});
            final Path keystore = store(folder.resolve("broker.p12"), keys, pw);
            final Path truststore = store(folder.resolve("truststore.p12"), trusting(caCert), pw);
            final Path foreign = store(folder.resolve("foreign-truststore.p12"), trusting(otherCert), pw);
            return new TestCertificates(keystore, truststore, foreign, password);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot make test certificates: " + e, e);
        }
    }

    private static KeyStore trusting(final X509Certificate ca) throws GeneralSecurityException, IOException {
        final KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", ca);
        return store;
    }

    private static Path store(final Path file, final KeyStore store, final char[] password)
            throws GeneralSecurityException, IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password);
        }
        return file;
    }

    private static KeyPair rsa() throws GeneralSecurityException {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048, RANDOM);
        return generator.generateKeyPair();
    }

    /** An X.509 v3 certificate for {@code subject}'s key, signed by {@code issuerKey}. */
    private static X509Certificate certificate(final String subject, final KeyPair subjectKeys, final String issuer,
                                               final PrivateKey issuerKey, final boolean authority)
            throws GeneralSecurityException {
        final byte[] sha256WithRsa = seq(oid(1, 2, 840, 113549, 1, 1, 11), new byte[] {0x05, 0x00});
        final byte[] basicConstraints = seq(oid(2, 5, 29, 19), tlv(0x01, new byte[] {(byte) 0xff}),
                tlv(0x04, authority ? seq(tlv(0x01, new byte[] {(byte) 0xff})) : seq()));
        // keyUsage: keyCertSign and cRLSign for an authority; digitalSignature and keyEncipherment otherwise.
        final byte[] keyUsage = seq(oid(2, 5, 29, 15), tlv(0x01, new byte[] {(byte) 0xff}),
                tlv(0x04, authority ? tlv(0x03, new byte[] {1, 0x06}) : tlv(0x03, new byte[] {5, (byte) 0xa0})));
        final byte[] extensions = authority ? seq(basicConstraints, keyUsage)
                : seq(basicConstraints, keyUsage, seq(oid(2, 5, 29, 17), tlv(0x04, seq(
                        tlv(0x82, "localhost".getBytes(StandardCharsets.US_ASCII)),
                        tlv(0x87, new byte[] {127, 0, 0, 1})))));
        final Instant now = Instant.now();
        final byte[] tbs = seq(
                tlv(0xa0, tlv(0x02, new byte[] {2})),
                tlv(0x02, new BigInteger(63, RANDOM).add(BigInteger.ONE).toByteArray()),
                sha256WithRsa,
                name(issuer),
                seq(utcTime(now.minus(Duration.ofHours(1))), utcTime(now.plus(VALIDITY))),
                name(subject),
                subjectKeys.getPublic().getEncoded(),
                tlv(0xa3, extensions));
        final Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(issuerKey);
        signer.update(tbs);
        final byte[] signature = signer.sign();
        final byte[] bits = new byte[signature.length + 1];
        System.arraycopy(signature, 0, bits, 1, signature.length);
        final byte[] der = seq(tbs, sha256WithRsa, tlv(0x03, bits));
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    }

    private static byte[] tlv(final int tag, final byte[]... parts) {
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (final byte[] part : parts) {
            body.writeBytes(part);
        }
        final int n = body.size();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] seq(final byte[]... parts) {
        return tlv(0x30, parts);
    }

    private static byte[] oid(final int... arcs) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(arcs[0] * 40 + arcs[1]);
        for (int i = 2; i < arcs.length; i++) {
            int v = arcs[i];
            final byte[] groups = new byte[5];
            int k = 0;
            do {
                groups[k++] = (byte) (v & 0x7f);
                v >>>= 7;
            } while (v != 0);
            for (int j = k - 1; j >= 0; j--) {
                out.write(groups[j] | (j > 0 ? 0x80 : 0));
            }
        }
        return tlv(0x06, out.toByteArray());
    }

    private static byte[] name(final String commonName) {
        return seq(tlv(0x31, seq(oid(2, 5, 4, 3), tlv(0x0c, commonName.getBytes(StandardCharsets.UTF_8)))));
    }

    private static byte[] utcTime(final Instant t) {
        return tlv(0x17, DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC).format(t)
                .getBytes(StandardCharsets.US_ASCII));
    }
}
