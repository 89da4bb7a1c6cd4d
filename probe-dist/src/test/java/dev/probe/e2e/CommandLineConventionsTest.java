package dev.probe.e2e;

import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.broker.KafkaTestSupport;
import dev.probe.runtime.cli.Main;
import dev.probe.testkit.SharedCaptures;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The assembled probe's command line, with every module on the class path: strict settings across
 * the runtime and the Kafka sink, {@code check} of the pcap source, tcpdump's shortcuts on {@code run},
 * help of every subcommand, the summary of a run that could not start, the end of a file with
 * {@code probe.shutdown.timeout = 0}, and a missing libpcap.
 */
class CommandLineConventionsTest {
    private static EmbeddedKafkaBroker broker;

    @TempDir
    Path dir;

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

    private static String dns() {
        return SharedCaptures.entry("dns_udp_2.pcap").path().toString();
    }

    @Test
    void misspeltSettingsOfTheRuntimeAndTheKafkaSinkAreErrorsWithSuggestions() {
        final List<List<String>> cases = List.of(
                List.of("probe.recieve.burst-size=64", "Unknown setting probe.recieve.burst-size (--set probe.recieve.burst-size): did you mean probe.receive.burst-size?"),
                List.of("probe.stats.intervall=10s", "Unknown setting probe.stats.intervall (--set probe.stats.intervall): did you mean probe.stats.interval?"),
                List.of("probe.sink.kafka.topik=pcap", "Unknown setting probe.sink.kafka.topik (--set probe.sink.kafka.topik): did you mean probe.sink.kafka.topic?"),
                List.of("probe.kafka.topic=pcap", "Unknown setting probe.kafka.topic (--set probe.kafka.topic): did you mean probe.sink.kafka.topic?"));
        for (final List<String> c : cases) {
            for (final String command : List.of("run", "check")) {
                final Probe.Cli cli = Probe.cli(command, "-r", dns(), "--set", c.get(0));
                assertEquals(2, cli.exit(), c.get(0));
                assertEquals(List.of("probe: " + c.get(1)), cli.stderrLines(), command + " " + c.get(0));
            }
        }
    }

    @Test
    void aMisspeltProducerPropertyIsCheckedAgainstTheClientsOwnDefinitions() {
        final Probe.Cli cli = Probe.cli("check", "-r", dns(), "--set", "probe.sink.kafka.producer.lingr.ms=5");
        assertEquals(2, cli.exit());
        assertEquals(1, cli.stderrLines().size(), cli.stderr());
        assertTrue(cli.stderr().contains("lingr.ms"), cli.stderr());
    }

    @Test
    void checkPrintsTheEffectiveConfigurationWithNoSourceAndNamesWhatIsMissingLast() {
        final Probe.Cli cli = Probe.cli("check");
        assertEquals(2, cli.exit());
        assertTrue(cli.stdout().contains("probe.source.pcap.file = \"\"    # "), cli.stdout());
        assertTrue(cli.stdout().contains("probe.sink.kafka.topic = \"pcap\"    # "), cli.stdout());
        assertTrue(cli.stdout().contains("# source pcap: "), cli.stdout());
        assertEquals(List.of("probe: No capture file or interface for the pcap source: set probe.source.pcap.file "
                + "(run -r FILE) or probe.source.pcap.interface (run -i IFACE)"), cli.stderrLines());
    }

    @Test
    void checkFindsAMissingFileAFileThatIsNotACaptureAnAbsentInterfaceAndAFilterThatDoesNotCompile() throws IOException {
        final Path notes = Files.writeString(dir.resolve("notes.pcap"), "not packets\n");
        final List<List<String>> cases = List.of(
                List.of("-r", "/nonexistent/x.pcap"),
                List.of("-r", notes.toString()),
                List.of("-i", "no-such-if0"),
                List.of("-r", dns(), "-f", "udp port nonsense"),
                List.of("-i", "lo", "-f", "tcp port port"));
        final List<String> expected = List.of(
                "probe: Cannot read capture file /nonexistent/x.pcap: no such file (probe.source.pcap.file)",
                "probe: Cannot read capture file " + notes + ": unknown file format (probe.source.pcap.file)",
                "probe: No interface named no-such-if0 to capture from (probe.source.pcap.interface); available: ",
                "probe: Invalid value \"udp port nonsense\" for probe.source.pcap.filter: expected a BPF expression libpcap can compile",
                "probe: Invalid value \"tcp port port\" for probe.source.pcap.filter: expected a BPF expression libpcap can compile");
        for (int i = 0; i < cases.size(); i++) {
            final List<String> args = new ArrayList<>(List.of("check"));
            args.addAll(cases.get(i));
            final Probe.Cli cli = Probe.cli(args.toArray(String[]::new));
            assertEquals(2, cli.exit(), args.toString());
            assertEquals(1, cli.stderrLines().size(), args + ": " + cli.stderr());
            assertTrue(cli.stderrLines().get(0).startsWith(expected.get(i)), args + ": " + cli.stderr());
        }
        final Probe.Cli lo = Probe.cli("check", "-i", "lo", "-f", "udp port 53");
        assertEquals(0, lo.exit(), lo.stderr());
        assertTrue(lo.stdout().endsWith("# configuration is valid\n"), lo.stdout());
    }

    @Test
    void checkValidatesTheDpdkSectionTheUserWroteWhileThePcapSourceIsSelected() {
        final Probe.Cli cli = Probe.cli("check", "-r", dns(), "--set", "probe.source.dpdk.rx-queues=1.5");
        assertEquals(2, cli.exit());
        assertEquals(1, cli.stderrLines().size(), cli.stderr());
        assertTrue(cli.stderr().contains("probe.source.dpdk.rx-queues"), cli.stderr());
    }

    @Test
    void runsShortcutsReadAFileFilterItAndSendItToTheTopicAndBrokersGiven() {
        broker.createTopic("shortcuts", 1);
        final SharedCaptures.Entry entry = SharedCaptures.entry("mptcp-v0.pcap");
        final Probe.Cli cli = Probe.cli("run", "-r", entry.path().toString(), "-f", "tcp port 80 or tcp port 8080 or tcp",
                "--topic", "shortcuts", "-b", broker.bootstrapServers(), "--set", "probe.stats.interval=0s");
        assertEquals(0, cli.exit(), cli.stderr());
        assertTrue(cli.stderrLines().contains("probe: connecting to Kafka at " + broker.bootstrapServers()
                + ", topic shortcuts (timeout 30s)"), cli.stderr());
        assertTrue(cli.stderr().contains("probe: capturing from pcap file " + entry.path()), cli.stderr());
        final List<ConsumerRecord<byte[], byte[]>> records = KafkaTestSupport.consume(broker.bootstrapServers(),
                "shortcuts", entry.packets());
        assertEquals(entry.packets(), records.size(), "every packet of this all-TCP capture passed the filter");

        broker.createTopic("filtered-out", 1);
        final Probe.Cli none = Probe.cli("run", "-r", entry.path().toString(), "-f", "udp", "--topic", "filtered-out",
                "-b", broker.bootstrapServers(), "--set", "probe.stats.interval=0s", "--summary", dir.resolve("s.json").toString());
        assertEquals(0, none.exit(), none.stderr());
        try {
            assertEquals(0, Probe.json(Files.readString(dir.resolve("s.json")), "captured"), "no UDP in the capture");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void minusIWithADurationCapturesLiveAndStopsOnItsOwn() throws IOException {
        final Path summary = dir.resolve("live.json");
        final Probe.Cli cli = Probe.cli("run", "-i", "lo", "--duration", "1s", "--set", "probe.sink.type=discard",
                "--set", "probe.stats.interval=0s", "--summary", summary.toString());
        assertEquals(0, cli.exit(), cli.stderr());
        assertTrue(cli.stderr().contains("probe: capturing from pcap interface lo"), cli.stderr());
        assertTrue(Files.readString(summary).contains("\"outcome\": \"duration\""), Files.readString(summary));
    }

    @Test
    void everySubcommandOfTheAssemblyHasHelp() {
        final List<String> names = new ArrayList<>(Main.commandLine(new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream())).getSubcommands().keySet());
        assertTrue(names.containsAll(List.of("run", "check", "export", "ports", "demo")), names.toString());
        for (final String name : names) {
            final Probe.Cli cli = Probe.cli(name, "--help");
            assertEquals(0, cli.exit(), name + ": " + cli.stderr());
            assertTrue(cli.stdout().startsWith("Usage: probe " + name), name + ": " + cli.stdout());
        }
    }

    @Test
    void anUnreachableBrokerWritesTheSummaryAsStartupFailedWithTheError() throws IOException {
        final Path summary = dir.resolve("summary.json");
        final String address = "127.0.0.1:" + KafkaTestSupport.closedPort();
        final Probe.Cli cli = Probe.cli("run", "-r", dns(), "-b", address, "--set", "probe.sink.kafka.startup-timeout=2s",
                "--summary", summary.toString());
        assertEquals(2, cli.exit(), cli.stderr());
        final List<String> errors = cli.stderrLines().stream().filter(l -> l.startsWith("probe: ")
                && !l.startsWith("probe: capturing from") && !l.startsWith("probe: connecting to")).toList();
        assertEquals(1, errors.size(), cli.stderr());
        assertTrue(errors.get(0).contains(address), errors.get(0));
        assertFalse(cli.stderr().contains("\tat "), cli.stderr());
        final String json = Files.readString(summary);
        assertTrue(json.contains("\"outcome\": \"startup-failed\""), json);
        assertTrue(json.contains("\"error\": \"" + errors.get(0).substring("probe: ".length())), json);
        assertTrue(json.contains("\"exit_status\": 2"), json);
    }

    @Test
    void aShutdownTimeoutOf0StillDeliversEveryPacketAtTheEndOfAFile() throws IOException {
        final List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            frames.add(TestFrames.ethernet(i, true));
        }
        final Path file = Files.write(dir.resolve("thousand.pcap"), TestFrames.pcap(1, frames));
        broker.createTopic("no-timeout", 1);
        final Path summary = dir.resolve("summary.json");
        final Probe.Cli cli = Probe.cli("run", "-r", file.toString(), "--topic", "no-timeout", "-b", broker.bootstrapServers(),
                "--set", "probe.shutdown.timeout=0", "--set", "probe.stats.interval=0s", "--summary", summary.toString());
        assertEquals(0, cli.exit(), cli.stderr());
        final String json = Files.readString(summary);
        assertEquals(1_000, Probe.json(json, "delivered"), json);
        assertEquals(0, Probe.json(json, "dropped_total"), json);
        assertEquals(1_000, KafkaTestSupport.consume(broker.bootstrapServers(), "no-timeout", 1_000).size());
    }

    @Test
    void aMissingLibpcapIsOneLineNamingTheDebianPackage() throws Exception {
        final String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String command : List.of("check", "run")) {
            final Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                    "-Dorg.pcap4j.core.pcapLibName=probe-test-no-such-libpcap", "-cp", System.getProperty("java.class.path"),
                    Main.class.getName(), command, "-r", dns(), "--set", "probe.sink.type=discard")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            final String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(2, p.exitValue(), command + ": " + err);
            final List<String> lines = err.lines().filter(l -> !l.isBlank()).toList();
            assertEquals(1, lines.size(), command + ": " + err);
            assertTrue(lines.get(0).startsWith("probe: libpcap cannot be loaded (") && lines.get(0).endsWith(
                    "install the Debian package libpcap0.8 (apt-get install libpcap0.8)"), err);
        }
    }
}
