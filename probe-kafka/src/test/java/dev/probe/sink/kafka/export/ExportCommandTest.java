package dev.probe.sink.kafka.export;

import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.broker.KafkaTestSupport;
import dev.probe.runtime.cli.Main;
import dev.probe.testkit.NativeRequirement;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code probe export} against a real broker, as a user runs it: where it stops, {@code --sort}, link
 * types through to tshark, the BPF filter, tcpdump's {@code -w} and {@code -c}, and the file's mode.
 */
class ExportCommandTest {
    private static final long BASE_MICROS = 1_700_000_000_000_000L;
    private static EmbeddedKafkaBroker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.defaults().withAutoCreateTopics(false));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private record Cli(int exit, byte[] stdout, String stderr) {
        List<String> stderrLines() {
            return stderr.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    private static Cli export(final String topic, final String... more) {
        final List<String> args = new ArrayList<>(List.of("export", "--topic", topic, "-b", broker.bootstrapServers(),
                "--timeout", "30s"));
        args.addAll(List.of(more));
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Cli(exit, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    private static ProducerRecord<byte[], byte[]> record(final String topic, final Integer partition, final long micros,
                                                         final byte[] frame, final int linkType) {
        final RecordHeaders headers = new RecordHeaders();
        if (linkType != 1) {
            headers.add(dev.probe.sink.kafka.PacketRecordFormat.LINK_TYPE_HEADER, Frames.linkType(linkType));
        }
        return new ProducerRecord<>(topic, partition, null, ByteBuffer.allocate(8).putLong(micros).array(), frame, headers);
    }

    /**
     * A producer without idempotence: right after a topic is created the embedded broker may answer
     * NOT_LEADER_OR_FOLLOWER to a batch it kept, which an idempotent producer then retries for ever as
     * OUT_OF_ORDER_SEQUENCE_NUMBER. Tests compare with what the topic holds, so a duplicate does not matter.
     */
    private static KafkaProducer<byte[], byte[]> producer() {
        final java.util.Properties p = new java.util.Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("enable.idempotence", "false");
        p.put("acks", "all");
        p.put("max.in.flight.requests.per.connection", "1");
        return new KafkaProducer<>(p, new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer());
    }

    /** Every record of {@code topic}, read with a plain consumer up to the end offsets. */
    private static List<ConsumerRecord<byte[], byte[]>> all(final String topic) {
        final java.util.Properties p = new java.util.Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> c = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                p, new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            final List<org.apache.kafka.common.TopicPartition> tps = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new org.apache.kafka.common.TopicPartition(topic, i.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            final Map<org.apache.kafka.common.TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(30));
            final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                assertTrue(System.nanoTime() < deadline, "read " + topic + " within 60 s");
                for (final ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    if (r.offset() < end.get(new org.apache.kafka.common.TopicPartition(topic, r.partition()))) {
                        records.add(r);
                    }
                }
            }
            return records;
        }
    }

    /** What {@code topic} holds, as {@code micros/hex(value)/length}, in any order. */
    private static List<String> topicContent(final String topic, final int atLeast) {
        final List<String> content = new ArrayList<>();
        for (final ConsumerRecord<byte[], byte[]> r : all(topic)) {
            content.add(ByteBuffer.wrap(r.key()).getLong() + "/" + HexFormat.of().formatHex(r.value()) + "/" + r.value().length);
        }
        assertTrue(content.size() >= atLeast, topic + " holds " + content.size());
        return content;
    }

    private static void produce(final List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (final ProducerRecord<byte[], byte[]> r : records) {
                producer.send(r);
            }
            producer.flush();
        }
    }

    /** A pcap file's link type and records as {@code micros/hex(bytes)/wire}. */
    private record Pcap(int linkType, List<Long> micros, List<String> packets) {
    }

    private static Pcap read(final byte[] pcap) {
        final ByteBuffer b = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xa1b2c3d4, b.getInt(0));
        final int linkType = b.getInt(20);
        b.position(24);
        final List<Long> micros = new ArrayList<>();
        final List<String> packets = new ArrayList<>();
        while (b.remaining() >= 16) {
            final long t = Integer.toUnsignedLong(b.getInt()) * 1_000_000L + Integer.toUnsignedLong(b.getInt());
            final int caplen = b.getInt();
            final int wire = b.getInt();
            final byte[] data = new byte[caplen];
            b.get(data);
            micros.add(t);
            packets.add(t + "/" + HexFormat.of().formatHex(data) + "/" + wire);
        }
        assertEquals(0, b.remaining(), "trailing bytes");
        return new Pcap(linkType, micros, packets);
    }

    @Test
    @Timeout(120)
    void stopsAtTheEndOffsetsTakenAtItsStartWhileRecordsKeepComing() throws Exception {
        broker.createTopic("growing", 3);
        final List<ProducerRecord<byte[], byte[]>> before = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            before.add(record("growing", i % 3, BASE_MICROS + i, Frames.ethernet(i, true), 1));
        }
        produce(before);
        final AtomicBoolean producing = new AtomicBoolean(true);
        final AtomicLong late = new AtomicLong();
        final Thread producer = Thread.ofPlatform().start(() -> {
            try (KafkaProducer<byte[], byte[]> p = producer()) {
                for (int i = 600; producing.get(); i++) {
                    p.send(record("growing", i % 3, BASE_MICROS + i, Frames.ethernet(i, true), 1)).get();
                    late.incrementAndGet();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        final ExportResult result;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            // An export that waited for an idle spell would never end: records keep coming.
            result = TopicExporter.export(ExportOptions.of(broker.bootstrapServers(), "growing")
                    .withIdleTimeout(Duration.ofSeconds(30)), out);
            final long producedWhileExporting = late.get();
            for (int i = 0; late.get() < producedWhileExporting + 20 && i < 1_000; i++) {
                Thread.sleep(10); // let records arrive after the export's end, for the comparison below
            }
        } finally {
            producing.set(false);
            producer.join();
        }
        final long exported = result.endOffsets().values().stream().mapToLong(Long::longValue).sum();
        assertTrue(exported >= 600, "everything written before the start: " + result.endOffsets());
        assertEquals(exported, result.packetsWritten(), "every record below the end offsets, no more");

        final List<ConsumerRecord<byte[], byte[]>> all = all("growing");
        assertTrue(all.size() > exported, "records came after the export's end offsets: " + all.size() + " > " + exported);
        final List<String> expected = new ArrayList<>();
        for (final ConsumerRecord<byte[], byte[]> r : all) {
            if (r.offset() < result.endOffsets().get(r.partition())) {
                final long micros = ByteBuffer.wrap(r.key()).getLong();
                expected.add(micros + "/" + HexFormat.of().formatHex(r.value()) + "/" + r.value().length);
            }
        }
        final List<String> got = new ArrayList<>(read(out.toByteArray()).packets());
        expected.sort(null);
        got.sort(null);
        assertEquals(expected, got, "exactly the records below the end offsets taken at the start");
    }

    @Test
    void sortWritesEveryPacketInCaptureTimeOrderAcrossPartitions() throws Exception {
        broker.createTopic("shuffled", 4);
        final Random random = new Random(7);
        final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        final List<Long> times = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            final long micros = BASE_MICROS + random.nextInt(1_000_000);
            times.add(micros);
            // a partition regardless of time, and times out of order within each partition
            records.add(record("shuffled", random.nextInt(4), micros, Frames.ethernet(i, random.nextBoolean()), 1));
        }
        produce(records);
        final Path sorted = dir.resolve("sorted.pcap");
        final ExportResult result = TopicExporter.export(ExportOptions.of(broker.bootstrapServers(), "shuffled")
                .withIdleTimeout(Duration.ofSeconds(30)).withSort(true, 64 * 1024).withOutput(sorted.toString()));
        assertTrue(result.packetsWritten() >= 3_000, "every record, and any the producer wrote twice");
        final Pcap pcap = read(Files.readAllBytes(sorted));
        final List<String> held = new ArrayList<>(topicContent("shuffled", 3_000));
        final List<Long> expectedTimes = new ArrayList<>(held.stream().map(h -> Long.parseLong(h.substring(0, h.indexOf('/')))).toList());
        expectedTimes.sort(null);
        assertEquals(expectedTimes, pcap.micros(), "capture-time order, every packet once");
        final List<String> exportedSorted = new ArrayList<>(pcap.packets());
        exportedSorted.sort(null);
        held.sort(null);
        assertEquals(held, exportedSorted, "the topic's packets, byte for byte");
        final Cli unsorted = export("shuffled");
        assertEquals(0, unsorted.exit(), unsorted.stderr());
        final List<String> a = new ArrayList<>(read(unsorted.stdout()).packets());
        final List<String> b = new ArrayList<>(pcap.packets());
        assertFalse(a.equals(b), "without --sort the order is the topic's, not time's");
        a.sort(null);
        b.sort(null);
        assertEquals(a, b, "the same packets either way");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(sorted), files.toList(), "the sort's temporary files beside the output are gone");
        }
        final Cli viaCli = export("shuffled", "--sort", "--sort-memory", "1MiB");
        assertEquals(0, viaCli.exit(), viaCli.stderr());
        assertEquals(expectedTimes, read(viaCli.stdout()).micros());
    }

    @Test
    void aCookedCaptureKeepsItsLinkTypeThroughToTshark() throws Exception {
        broker.createTopic("cooked", 1);
        final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            records.add(record("cooked", 0, BASE_MICROS + i * 1000L, Frames.cooked(i), 113));
        }
        produce(records);
        final Path file = dir.resolve("cooked.pcap");
        final Cli cli = export("cooked", "-w", file.toString());
        assertEquals(0, cli.exit(), cli.stderr());
        assertEquals(List.of("probe: exported 10 packets (linux-sll) from topic cooked to " + file), cli.stderrLines());
        assertEquals(113, read(Files.readAllBytes(file)).linkType());

        final Path tshark = Path.of("/usr/bin/tshark");
        NativeRequirement.require(Files.isExecutable(tshark), "tshark is not installed (Debian package tshark)");
        final Process p = new ProcessBuilder(tshark.toString(), "-r", file.toString(), "-T", "fields",
                "-e", "sll.pkttype", "-e", "sll.src.eth", "-e", "ip.dst", "-e", "udp.dstport")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        final List<String> lines = out.lines().toList();
        assertEquals(10, lines.size(), out);
        for (int i = 0; i < 10; i++) {
            assertEquals("4\t02:00:00:00:00:01\t10.0.0." + (i + 2) + "\t53", lines.get(i), "tshark's reading of packet " + i);
        }
    }

    @Test
    void aTopicMixingLinkTypesIsRefusedInOneLineAndEachCanBeExportedAlone() throws Exception {
        broker.createTopic("mixed", 1);
        final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            records.add(i % 3 == 2
                    ? record("mixed", 0, BASE_MICROS + i, Frames.cooked(i), 113)
                    : record("mixed", 0, BASE_MICROS + i, Frames.ethernet(i, true), 1));
        }
        produce(records);
        final Path file = dir.resolve("mixed.pcap");
        final Cli refused = export("mixed", "-w", file.toString());
        assertEquals(2, refused.exit());
        assertEquals(List.of("probe: Topic mixed holds frames of more than one link type, ethernet (first at partition 0, "
                + "offset 0) and linux-sll (at partition 0, offset 2), and a pcap file holds one: export each into a file "
                + "of its own with --link-type ethernet and --link-type linux-sll (2 packets were written before)"),
                refused.stderrLines());

        final Cli ethernet = export("mixed", "--link-type", "ethernet");
        assertEquals(0, ethernet.exit(), ethernet.stderr());
        assertEquals(1, read(ethernet.stdout()).linkType());
        assertEquals(4, read(ethernet.stdout()).packets().size());
        assertTrue(ethernet.stderr().contains("; 2 of other link types"), ethernet.stderr());
        final Cli cooked = export("mixed", "--link-type", "113");
        assertEquals(0, cooked.exit(), cooked.stderr());
        assertEquals(113, read(cooked.stdout()).linkType());
        assertEquals(2, read(cooked.stdout()).packets().size());
    }

    @Test
    void theFilterSelectsPacketsAsTcpdumpWould() throws Exception {
        broker.createTopic("filtered", 2);
        final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            records.add(record("filtered", i % 2, BASE_MICROS + i, Frames.ethernet(i, i % 4 == 0), 1));
        }
        produce(records);
        final Cli udp = export("filtered", "-f", "udp port 53");
        assertEquals(0, udp.exit(), udp.stderr());
        assertEquals(10, read(udp.stdout()).packets().size());
        assertTrue(udp.stderr().contains("; 30 not matching the filter"), udp.stderr());
        final Cli tcp = export("filtered", "-f", "tcp and dst port 80", "-c", "7");
        assertEquals(0, tcp.exit(), tcp.stderr());
        assertEquals(7, read(tcp.stdout()).packets().size(), "-c counts packets that pass the filter");

        final Cli bad = export("filtered", "-f", "udp port nonsense");
        assertEquals(2, bad.exit());
        assertEquals(1, bad.stderrLines().size(), bad.stderr());
        assertTrue(bad.stderr().startsWith("probe: Invalid value \"udp port nonsense\" for -f: expected a BPF expression "
                + "libpcap can compile for ethernet, libpcap says: "), bad.stderr());
    }

    @Test
    void minusWWritesAFileOnlyItsOwnerCanReadAndMinusCCounts() throws Exception {
        broker.createTopic("private", 1);
        final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            records.add(record("private", 0, BASE_MICROS + i, Frames.ethernet(i, true), 1));
        }
        produce(records);
        final Path file = Files.writeString(dir.resolve("out.pcap"), "an older export, readable by all");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        final Cli cli = export("private", "-w", file.toString(), "-c", "5");
        assertEquals(0, cli.exit(), cli.stderr());
        assertEquals(5, read(Files.readAllBytes(file)).packets().size());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertFalse(cli.stderr().contains("\r"), "no progress line when standard error is not a terminal");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left");
        }
    }

    @Test
    @Timeout(120)
    void aFollowingExportEndsOnRequestWithWhatItReadInPlace() throws Exception {
        broker.createTopic("followed", 2);
        produce(List.of(record("followed", 0, BASE_MICROS, Frames.ethernet(0, true), 1)));
        final Path file = dir.resolve("followed.pcap");
        final ExportStop stop = new ExportStop();
        final java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch fiveAccepted = new java.util.concurrent.CountDownLatch(1);
        final ExportProgress watch = new ExportProgress() {
            @Override
            public void update(final long read, final long toRead, final long written) {
                running.countDown();
                if (written >= 5) {
                    fiveAccepted.countDown();
                }
            }

            @Override
            public void done() {
            }
        };
        final java.util.concurrent.CompletableFuture<ExportResult> export = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> TopicExporter.export(ExportOptions.of(broker.bootstrapServers(), "followed").withFrom(ExportOptions.From.END)
                        .withIdleTimeout(Duration.ofMinutes(10)).withOutput(file.toString()), watch, stop));
        assertTrue(running.await(60, TimeUnit.SECONDS), "the export is following the topic");
        final List<ProducerRecord<byte[], byte[]>> later = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            later.add(record("followed", i % 2, BASE_MICROS + i, Frames.ethernet(i, true), 1));
        }
        produce(later);
        assertTrue(fiveAccepted.await(60, TimeUnit.SECONDS), "the five new records were read");
        stop.request();
        final ExportResult result = export.get(60, TimeUnit.SECONDS);
        assertTrue(result.packetsWritten() >= 5, "written: " + result.packetsWritten());
        final Pcap pcap = read(Files.readAllBytes(file));
        assertEquals(result.packetsWritten(), pcap.packets().size());
        assertFalse(pcap.micros().contains(BASE_MICROS), "the record from before the start is not exported");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void aConfigurationFileGivenAsMinusCOutOfHabitGetsAHint() throws IOException {
        final Path conf = Files.writeString(dir.resolve("probe.conf"), "probe {}\n");
        final Cli cli = export("private", "-c", conf.toString());
        assertEquals(2, cli.exit());
        assertEquals(1, cli.stderrLines().size(), cli.stderr());
        assertTrue(cli.stderr().contains("is not a packet count: on export, -c is the packet count, as tcpdump's; "
                + "give the configuration file with --config"), cli.stderr());
    }

    @Test
    void aMissingTopicCreatesNoFile() {
        final Path file = dir.resolve("none.pcap");
        final Cli cli = export("absent", "-w", file.toString());
        assertEquals(2, cli.exit());
        assertEquals(List.of("probe: Topic absent does not exist at Kafka at " + broker.bootstrapServers() + " (--topic)"),
                cli.stderrLines());
        assertFalse(Files.exists(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "no temporary file left");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void helpNamesTheTcpdumpOptionsAndWhyMinusIAndMinusRDoNotApply() {
        final Cli cli = export("x", "--help");
        final String help = new String(cli.stdout(), StandardCharsets.UTF_8).replaceAll("\\s+", " ");
        assertEquals(0, cli.exit());
        assertTrue(help.contains("-o, -w, --output=FILE"), help);
        assertTrue(help.contains("-c, --max-packets=COUNT"), help);
        assertTrue(help.contains("-i and -r do not apply"), help);
    }

    @Test
    void theProgressLineSaysHowFarItGot() {
        assertEquals("probe export: 41% (123,456 of 300,000 records read, 120,000 packets)",
                TerminalProgress.line(123_456, 300_000, 120_000));
        assertEquals("probe export: 100% (0 of 0 records read, 0 packets)", TerminalProgress.line(0, 0, 0));
        assertEquals("probe export: 5 records read, 4 packets (following new records)", TerminalProgress.line(5, -1, 4));
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final TerminalProgress progress = new TerminalProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        progress.update(1, 10, 1);
        progress.done();
        final String shown = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(shown.startsWith("\rprobe export: 10% (1 of 10 records read, 1 packets)"), shown);
        assertTrue(shown.endsWith("\r"), "cleared at the end: " + shown);
    }
}
