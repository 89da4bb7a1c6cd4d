package dev.probe.sink.kafka.export;

import dev.probe.sink.kafka.KafkaSinkProvider;
import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.testkit.TestBatch;
import dev.probe.testkit.TestContext;
import dev.probe.broker.KafkaTestSupport;
import dev.probe.spi.Sink;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sink to topic to pcap file: the file holds the frames with their times and lengths. */
class TopicExporterTest {
    private static final int COUNT = 40;
    private static EmbeddedKafkaBroker broker;
    private static final List<byte[]> FRAMES = new ArrayList<>();
    private static final List<Long> MICROS = new ArrayList<>();
    private static final List<Integer> WIRES = new ArrayList<>();

    /** One record of a pcap file. */
    record Packet(long sec, long usec, int caplen, int wirelen, byte[] data) {
        long micros() {
            return sec * 1_000_000L + usec;
        }
    }

    @BeforeAll
    static void startBrokerAndWriteFrames() throws Exception {
        broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.defaults().withAutoCreateTopics(false));
        broker.createTopic("frames", 1);
        broker.createTopic("empty", 2);
        final TestBatch burst = new TestBatch();
        final long base = 1_700_000_000_123_456_789L;
        for (int i = 0; i < COUNT; i++) {
            final byte[] frame = TestBatch.frame(64 + i * 37, i);
            final long nanos = base + i * 1_000_003_000L;
            final int wire = i % 4 == 1 ? 9000 + i : frame.length;
            burst.add(nanos, frame, wire);
            FRAMES.add(frame);
            MICROS.add(Math.floorDiv(nanos, 1_000L));
            WIRES.add(wire);
        }
        try (Sink sink = new KafkaSinkProvider().configure(KafkaTestSupport.config(Map.of(
                "probe.sink.kafka.topic", "frames",
                "probe.sink.kafka.producer.bootstrap.servers", broker.bootstrapServers(),
                // one partition, one in-flight request: offsets follow send order
                "probe.sink.kafka.producer.max.in.flight.requests.per.connection", 1))).create(TestContext.worker("tx-0-0"))) {
            sink.send(burst);
            assertTrue(sink.flush(Duration.ofSeconds(30)));
            assertEquals(COUNT, sink.counters().delivered());
        }
        // Two records the exporter must skip: a 4-byte key and no key, then one more good frame.
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.producer(broker.bootstrapServers())) {
            producer.send(new ProducerRecord<>("frames", new byte[] {1, 2, 3, 4}, new byte[] {9})).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>("frames", null, new byte[] {9})).get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static ExportOptions options(final String topic) {
        return ExportOptions.of(broker.bootstrapServers(), topic).withIdleTimeout(Duration.ofSeconds(2));
    }

    @Test
    void exportsEveryFrameWithItsTimeCapturedAndWireLength(@TempDir final Path dir) throws IOException {
        final Path file = dir.resolve("out.pcap");
        final ExportResult result = TopicExporter.export(options("frames").withOutput(file.toString()));
        assertEquals(COUNT, result.packetsWritten());
        assertEquals(2, result.skipped());

        final byte[] pcap = Files.readAllBytes(file);
        final ByteBuffer b = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xa1b2c3d4, b.getInt(0));
        assertEquals(2, b.getShort(4));
        assertEquals(4, b.getShort(6));
        assertEquals(262_144, b.getInt(16));
        assertEquals(1, b.getInt(20));
        final List<Packet> packets = read(pcap);
        assertEquals(COUNT, packets.size());
        for (int i = 0; i < COUNT; i++) {
            final Packet p = packets.get(i);
            assertEquals(MICROS.get(i), p.micros(), "time of " + i);
            assertTrue(p.usec() < 1_000_000);
            assertEquals(FRAMES.get(i).length, p.caplen(), "caplen of " + i);
            assertEquals(WIRES.get(i).intValue(), p.wirelen(), "wirelen of " + i);
            assertArrayEquals(FRAMES.get(i), p.data(), "bytes of " + i);
        }
        tsharkAgrees(file);
    }

    @Test
    void honoursMaxPackets() {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ExportResult result = TopicExporter.export(options("frames").withMaxPackets(5), out);
        assertEquals(5, result.packetsWritten());
        final List<Packet> packets = read(out.toByteArray());
        assertEquals(5, packets.size());
        assertEquals(1, ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN).getInt(20));
        assertArrayEquals(FRAMES.get(4), packets.get(4).data());
    }

    @Test
    void aSelectedLinkTypeNoFrameHasExportsNothingAndCountsTheRest() {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ExportResult result = TopicExporter.export(options("frames").withLinkType(101), out);
        assertEquals(0, result.packetsWritten());
        assertEquals(COUNT, result.otherLinkType(), "every frame is Ethernet (no link-type header)");
        assertEquals(2, result.skipped());
        assertEquals(101, ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN).getInt(20),
                "the header has the selected link type");
    }

    @Test
    void fromEndWithNothingNewWritesAnEmptyFileWithinTheIdleTimeout() {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final long start = System.nanoTime();
        final ExportResult result = TopicExporter.export(options("frames").withFrom(ExportOptions.From.END)
                .withIdleTimeout(Duration.ofMillis(500)), out);
        assertEquals(0, result.packetsWritten());
        assertEquals(24, out.size());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20));
    }

    @Test
    void anEmptyTopicOfSeveralPartitionsGivesNoPackets() {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ExportResult result = TopicExporter.export(options("empty").withIdleTimeout(Duration.ofMillis(500)), out);
        assertEquals(0, result.packetsWritten());
        assertEquals(0, result.skipped());
        assertEquals(Map.of(0, 0L, 1, 0L), result.endOffsets());
    }

    @Test
    void aMissingTopicIsAnError() {
        final var e = org.junit.jupiter.api.Assertions.assertThrows(dev.probe.api.ProbeException.class,
                () -> TopicExporter.export(options("absent"), new ByteArrayOutputStream()));
        assertTrue(e.getMessage().startsWith("Topic absent does not exist"), e.getMessage());
    }

    @Test
    void anUnreachableClusterIsAnErrorWithinTheIdleTimeout() {
        final String address = "127.0.0.1:" + KafkaTestSupport.closedPort();
        final var e = org.junit.jupiter.api.Assertions.assertThrows(dev.probe.api.ProbeException.class,
                () -> TopicExporter.export(ExportOptions.of(address, "frames").withIdleTimeout(Duration.ofMillis(500)),
                        new ByteArrayOutputStream()));
        assertEquals("Kafka at " + address + " did not answer within 500ms", e.getMessage());
    }

    @Test
    void fromParsesEitherCase() {
        assertEquals(ExportOptions.From.BEGINNING, ExportOptions.From.of("beginning"));
        assertEquals(ExportOptions.From.END, ExportOptions.From.of("END"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> ExportOptions.From.of("stored"));
    }

    static List<Packet> read(final byte[] pcap) {
        final ByteBuffer b = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
        b.position(24);
        final List<Packet> packets = new ArrayList<>();
        while (b.remaining() >= 16) {
            final long sec = Integer.toUnsignedLong(b.getInt());
            final long usec = Integer.toUnsignedLong(b.getInt());
            final int caplen = b.getInt();
            final int wirelen = b.getInt();
            final byte[] data = new byte[caplen];
            b.get(data);
            packets.add(new Packet(sec, usec, caplen, wirelen, data));
        }
        assertEquals(0, b.remaining(), "trailing bytes");
        return packets;
    }

    /** When tshark is installed, it reads the same lengths; otherwise this check is left out. */
    private static void tsharkAgrees(final Path file) throws IOException {
        final Path tshark = Path.of("/usr/bin/tshark");
        if (!Files.isExecutable(tshark)) {
            return;
        }
        final Process p = new ProcessBuilder(tshark.toString(), "-r", file.toString(), "-T", "fields",
                "-e", "frame.len", "-e", "frame.cap_len", "-e", "frame.time_epoch")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        final List<String> lines = Arrays.stream(out.split("\n")).filter(l -> !l.isBlank()).toList();
        assertEquals(COUNT, lines.size(), out);
        for (int i = 0; i < COUNT; i++) {
            final String[] f = lines.get(i).split("\t");
            assertEquals(WIRES.get(i).intValue(), Integer.parseInt(f[0]), "tshark frame.len of " + i);
            assertEquals(FRAMES.get(i).length, Integer.parseInt(f[1]), "tshark frame.cap_len of " + i);
            final long micros = MICROS.get(i);
            final String expected = (micros / 1_000_000) + "." + String.format("%06d", micros % 1_000_000);
            assertTrue(f[2].startsWith(expected), "tshark time of " + i + ": " + f[2] + " vs " + expected);
        }
    }
}
