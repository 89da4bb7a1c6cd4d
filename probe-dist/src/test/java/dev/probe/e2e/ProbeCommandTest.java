package dev.probe.e2e;

import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.testkit.CaptureFile;
import dev.probe.testkit.SharedCaptures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probe command as a user runs it: exit statuses, one-line errors, the summary file, check, export. */
class ProbeCommandTest {
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = Probe.broker();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static String[] runArgs(final String topic, final String... more) {
        final List<String> args = new ArrayList<>(List.of("run"));
        for (final String setting : Probe.kafka(broker, topic)) {
            args.add("--set");
            args.add(setting);
        }
        args.addAll(Arrays.asList(more));
        return args.toArray(String[]::new);
    }

    @Test
    void anInvalidSettingExitsWithStatus2AndOneLineNamingIt() {
        final Probe.Cli cli = Probe.cli("run", "--set", "probe.receive.burst-size=0");
        assertEquals(2, cli.exit());
        assertEquals(1, cli.stderrLines().size(), cli.stderr());
        assertEquals("probe: Invalid value 0 for probe.receive.burst-size: expected an integer from 1 to 1024 "
                + "(--set probe.receive.burst-size)", cli.stderrLines().get(0));
    }

    @Test
    void anInvalidValueInTheConfigurationFileIsReportedWithFileAndLine(@TempDir final Path dir) throws Exception {
        final Path conf = dir.resolve("probe.conf");
        Files.writeString(conf, "probe {\n  transmit {\n    ring-size = 1000\n  }\n}\n");
        final Probe.Cli cli = Probe.cli("run", "-c", conf.toString());
        assertEquals(2, cli.exit());
        assertEquals(List.of("probe: Invalid value 1000 for probe.transmit.ring-size: expected a power of two from 16 to 4194304 ("
                + conf + ": 3)"), cli.stderrLines());
    }

    @Test
    void anUnknownSinkListsTheKnownOnes() {
        final Probe.Cli cli = Probe.cli("check", "--set", "probe.source.pcap.interface=lo", "--set", "probe.sink.type=kafak");
        assertEquals(2, cli.exit());
        assertEquals(1, cli.stderrLines().size(), cli.stderr());
        assertTrue(cli.stderr().contains("Unknown sink kafak for probe.sink.type: expected one of"), cli.stderr());
        assertTrue(cli.stderr().contains("discard") && cli.stderr().contains("kafka"), cli.stderr());
    }

    @Test
    void aMissingConfigurationFileAndAnUnknownOptionAreOneLineEach() {
        final Probe.Cli missing = Probe.cli("run", "-c", "/nonexistent/probe.conf");
        assertEquals(2, missing.exit());
        assertEquals(List.of("probe: Cannot read configuration file /nonexistent/probe.conf: no such readable file (-c)"),
                missing.stderrLines());
        final Probe.Cli unknown = Probe.cli("run", "--max-pakets", "3");
        assertEquals(2, unknown.exit());
        assertEquals(1, unknown.stderrLines().size());
        assertTrue(unknown.stderr().startsWith("probe: Unknown option") && unknown.stderr().contains("--max-pakets")
                && unknown.stderr().contains("probe run --help"), unknown.stderr());
    }

    @Test
    void aMissingCaptureFileExitsWith2NamingTheFile() {
        final Probe.Cli cli = Probe.cli(runArgs("missing-file", "--set", "probe.source.pcap.file=/nonexistent/x.pcap"));
        assertEquals(2, cli.exit());
        final List<String> lines = cli.stderrLines().stream().filter(l -> l.startsWith("probe: ")).toList();
        assertEquals(1, lines.size(), cli.stderr());
        assertTrue(lines.get(0).contains("/nonexistent/x.pcap"), lines.get(0));
        assertFalse(cli.stderr().contains("\tat "), "no stack trace: " + cli.stderr());
    }

    @Test
    void checkRejectsASourceWithNeitherFileNorInterface() {
        final Probe.Cli cli = Probe.cli("check");
        assertEquals(2, cli.exit());
        assertEquals(1, cli.stderrLines().size(), cli.stderr());
        assertTrue(cli.stderr().contains("probe.source.pcap.file") && cli.stderr().contains("probe.source.pcap.interface"),
                cli.stderr());
    }

    @Test
    void checkPrintsTheEffectiveConfigurationWithSecretsRedacted() {
        final Probe.Cli cli = Probe.cli("check", "--set", "probe.source.pcap.interface=lo",
                "--set", "probe.sink.kafka.producer.sasl.jaas.config=\"org.apache.kafka.common.security.plain.PlainLoginModule required username=u password=hunter2;\"",
                "--set", "probe.sink.kafka.producer.ssl.keystore.password=hunter2",
                "--set", "probe.receive.burst-size=64");
        assertEquals(0, cli.exit(), cli.stderr());
        assertFalse(cli.stdout().contains("hunter2"), cli.stdout());
        assertTrue(cli.stdout().contains("probe.sink.kafka.producer.sasl.jaas.config = \"<redacted>\""), cli.stdout());
        assertTrue(cli.stdout().contains("probe.sink.kafka.producer.ssl.keystore.password = \"<redacted>\""), cli.stdout());
        assertTrue(cli.stdout().contains("probe.receive.burst-size = 64    # --set probe.receive.burst-size"), cli.stdout());
        assertTrue(cli.stdout().contains("probe.sink.kafka.producer.bootstrap.servers = \"127.0.0.1:9092\""), cli.stdout());
    }

    @Test
    void theSummaryFileAddsUpAndExportReadsTheTopicBackIntoAPcap(@TempDir final Path dir) throws Exception {
        final SharedCaptures.Entry entry = SharedCaptures.entry("mptcp-v0.pcap");
        broker.createTopic("summary", 2);
        final Path summary = dir.resolve("summary.json");
        final Probe.Cli run = Probe.cli(runArgs("summary", "--set", "probe.source.pcap.file=\"" + entry.path() + "\"",
                "--set", "probe.transmit.workers-per-ring=2", "--summary", summary.toString()));
        assertEquals(0, run.exit(), run.stderr());
        final String json = Files.readString(summary);
        assertEquals(entry.packets(), Probe.json(json, "captured"));
        assertEquals(entry.packets(), Probe.json(json, "delivered"));
        assertEquals(0, Probe.json(json, "in_flight"));
        assertEquals(0, Probe.json(json, "dropped_total"));
        assertTrue(json.contains("\"dropped\": {"), json);
        assertTrue(json.contains("\"ring-full\": 0"), json);
        assertTrue(json.contains("\"queues\": ["), json);

        final Path exported = dir.resolve("exported.pcap");
        final Probe.Cli export = Probe.cli("export", "--set", "probe.sink.kafka.topic=summary",
                "--set", "probe.sink.kafka.producer.bootstrap.servers=\"" + broker.bootstrapServers() + "\"",
                "--max-packets", String.valueOf(entry.packets()), "--timeout", "10s", "-o", exported.toString());
        assertEquals(0, export.exit(), export.stderr());
        final List<String> original = new ArrayList<>();
        for (final CaptureFile.Record r : CaptureFile.read(entry.path())) {
            original.add(r.timestampMicros() + "/" + Probe.sha256(r.data()) + "/" + r.wireLength());
        }
        final List<String> back = new ArrayList<>();
        for (final CaptureFile.Record r : CaptureFile.read(exported)) {
            back.add(r.timestampMicros() + "/" + Probe.sha256(r.data()) + "/" + r.wireLength());
        }
        original.sort(null);
        back.sort(null);
        assertEquals(original, back, "the exported pcap holds the same packets, timestamps and wire lengths");
    }

    @Test
    void aDamagedFileDeliversEverythingBeforeTheDamageThenExitsWith2(@TempDir final Path dir) throws Exception {
        final SharedCaptures.Entry entry = SharedCaptures.entry("afs.pcap");
        final byte[] whole = Files.readAllBytes(entry.path());
        final byte[] cut = Arrays.copyOf(whole, whole.length / 2);
        final Path damaged = dir.resolve("damaged.pcap");
        Files.write(damaged, cut);
        final int complete = countCompleteRecords(cut);
        broker.createTopic("damaged", 1);
        final Path summary = dir.resolve("summary.json");
        final Probe.Cli run = Probe.cli(runArgs("damaged", "--set", "probe.source.pcap.file=\"" + damaged + "\"",
                "--summary", summary.toString()));
        assertEquals(2, run.exit(), run.stderr());
        final List<String> errors = run.stderrLines().stream().filter(l -> l.startsWith("probe: Capture file")).toList();
        assertEquals(1, errors.size(), run.stderr());
        assertTrue(errors.get(0).contains(damaged.toString()), errors.get(0));
        final String json = Files.readString(summary);
        assertEquals(complete, Probe.json(json, "captured"));
        assertEquals(complete, Probe.json(json, "delivered"));
        assertEquals(0, Probe.json(json, "in_flight"));
    }

    @Test
    void anEmptyCaptureEndsCleanlyWithNothingCaptured(@TempDir final Path dir) throws Exception {
        final SharedCaptures.Entry entry = SharedCaptures.entry("empty.pcapng");
        final Path summary = dir.resolve("summary.json");
        broker.createTopic("empty", 1);
        final Probe.Cli run = Probe.cli(runArgs("empty", "--set", "probe.source.pcap.file=\"" + entry.path() + "\"",
                "--summary", summary.toString()));
        assertEquals(0, run.exit(), run.stderr());
        assertEquals(0, Probe.json(Files.readString(summary), "captured"));
        assertTrue(Files.readString(summary).contains("\"outcome\": \"end-of-input\""));
    }

    /** Whole records in a classic little-endian pcap prefix. */
    private static int countCompleteRecords(final byte[] pcap) {
        final java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(pcap).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xa1b2c3d4, b.getInt(0), "afs.pcap is little-endian microsecond pcap");
        int position = 24;
        int records = 0;
        while (position + 16 <= pcap.length) {
            final int caplen = b.getInt(position + 8);
            if (position + 16 + caplen > pcap.length) {
                break;
            }
            position += 16 + caplen;
            records++;
        }
        return records;
    }
}
