package dev.probe.e2e;

import dev.probe.runtime.ProbeRun;
import dev.probe.runtime.config.ConfigLoader;
import dev.probe.runtime.plugin.Plugins;
import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.api.LinkType;
import dev.probe.file.format.CaptureFormat;
import dev.probe.file.format.CaptureWriter;
import dev.probe.source.dpdk.Dpdk;
import dev.probe.testkit.NativeRequirement;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real multi-queue traffic: a capture of many UDP flows replayed by tcpreplay into one end of a veth
 * pair, captured from the other end through DPDK {@code net_af_packet} with two receive queues (the
 * kernel's fanout hash spreads the flows), delivered to a real broker. Both queues carry traffic, every
 * frame arrives once, and the summary adds up with per-queue detail. Needs root, tcpreplay and DPDK.
 */
class AfPacketToKafkaTest {
    private static final String IFACE = "vprobe2";
    private static final String PEER = "vprobe3";
    private static final int FLOWS = 64;
    private static final int FRAMES = 4000;
    private static EmbeddedKafkaBroker broker;
    private static boolean vethCreated;

    @BeforeAll
    static void setUp() throws Exception {
        NativeRequirement.require(Dpdk.isAvailable(), "DPDK 22.11 is not available: " + Dpdk.unavailabilityCause());
        NativeRequirement.require(exec("tcpreplay", "--version") == 0, "tcpreplay is not installed (apt-get install tcpreplay)");
        exec("ip", "link", "del", IFACE);
        NativeRequirement.require(exec("ip", "link", "add", IFACE, "type", "veth", "peer", "name", PEER) == 0,
                "cannot create a veth pair (needs root and iproute2)");
        vethCreated = true;
        for (final String i : List.of(IFACE, PEER)) {
            exec("sysctl", "-q", "-w", "net.ipv6.conf." + i + ".disable_ipv6=1");
            assertEquals(0, exec("ip", "link", "set", i, "up"));
        }
        broker = Probe.broker();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (vethCreated) {
            exec("ip", "link", "del", IFACE);
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void twoQueuesBothCarryTrafficAndEveryFrameIsDelivered(@TempDir final Path dir) throws Exception {
        final Path pcap = dir.resolve("flows.pcap");
        final List<String> sent = writeFlows(pcap);
        broker.createTopic("afpacket", 4);
        final Path summary = dir.resolve("summary.json");
        final List<String> settings = new ArrayList<>(Probe.kafka(broker, "afpacket"));
        settings.addAll(List.of("probe.source.type=dpdk",
                "probe.source.dpdk.eal-args=[\"--no-huge\",\"-m\",\"512\",\"--no-pci\",\"--no-telemetry\",\"--file-prefix\",\"probe-runtime-afpacket\",\"--log-level\",\"*:error\",\"--vdev\",\"net_af_packet0,iface=" + IFACE + ",qpairs=2,framecnt=8192\"]",
                "probe.source.dpdk.port=net_af_packet0", "probe.source.dpdk.rx-queues=2", "probe.source.dpdk.mbufs=16383",
                "probe.source.dpdk.link-wait=2s", "probe.transmit.ring-size=4096"));
        final ProbeRun run = new ProbeRun(ConfigLoader.load(null, settings, Plugins.classpath()), Plugins.classpath(), summary,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        final CompletableFuture<ProbeRun.Result> running = CompletableFuture.supplyAsync(() -> {
            try {
                return run.execute();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        if (!run.awaitStarted(Duration.ofSeconds(60))) {
            running.get();
            throw new AssertionError("the probe did not start within 60 s");
        }
        assertEquals(0, exec("tcpreplay", "-q", "-i", PEER, "--topspeed", pcap.toString()), "tcpreplay");
        // The kernel may put a frame of its own on a fresh link: read until all of ours are in, then stop.
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        final Set<String> ours = new HashSet<>(sent);
        final Set<String> arrived = new HashSet<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("afpacket")) {
            while (arrived.size() < FRAMES && System.nanoTime() < deadline) {
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    records.add(r);
                    final String digest = Probe.sha256(r.value());
                    if (ours.contains(digest)) {
                        arrived.add(digest);
                    }
                }
            }
        }
        run.requestStop();
        final ProbeRun.Result result = running.get(120, TimeUnit.SECONDS);

        assertEquals(FRAMES, arrived.size(), "every frame tcpreplay sent arrived");
        final long oursDelivered = records.stream().filter(r -> ours.contains(Probe.sha256(r.value()))).count();
        assertEquals(FRAMES, oursDelivered, "each exactly once");
        final String json = Files.readString(summary);
        final long captured = Probe.json(json, "captured");
        assertEquals(records.size(), captured, "captured: ours and whatever the kernel sent");
        assertEquals(captured, Probe.json(json, "delivered"));
        assertEquals(0, Probe.json(json, "in_flight"));
        assertEquals(0, Probe.json(json, "dropped_total"));
        assertEquals(2, result.snapshot().queues().size());
        final long q0 = result.snapshot().queues().get(0).packets();
        final long q1 = result.snapshot().queues().get(1).packets();
        assertTrue(q0 > 0 && q1 > 0, "both queues carried traffic: " + q0 + " and " + q1);
        assertEquals(captured, q0 + q1);
        assertTrue(json.contains("\"queue\": 0") && json.contains("\"queue\": 1"), json);
    }

    private static KafkaConsumer<byte[], byte[]> consumer(final String topic) {
        final Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        final KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        final List<TopicPartition> partitions = new ArrayList<>();
        consumer.partitionsFor(topic, Duration.ofSeconds(30)).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    /** Writes FRAMES UDP/IPv4 frames over FLOWS flows; returns their sorted SHA-256 digests. */
    private static List<String> writeFlows(final Path pcap) throws Exception {
        final List<String> digests = new ArrayList<>();
        try (OutputStream out = Files.newOutputStream(pcap); CaptureWriter writer = CaptureWriter.open(CaptureFormat.PCAP_MICROS, out, LinkType.ETHERNET)) {
            for (int i = 0; i < FRAMES; i++) {
                final int flow = i % FLOWS;
                final ByteBuffer f = ByteBuffer.allocate(14 + 20 + 8 + 32);
                f.put(new byte[] {0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02}).putShort((short) 0x0800);
                f.put((byte) 0x45).put((byte) 0).putShort((short) 60).putShort((short) i).putShort((short) 0)
                        .put((byte) 64).put((byte) 17).putShort((short) 0).putInt(0x0a000000 | (flow + 1)).putInt(0x0a0000fe);
                f.putShort((short) (20000 + flow)).putShort((short) 47998).putShort((short) 40).putShort((short) 0);
                f.put(String.format("probe-runtime-test %013d", i).getBytes(StandardCharsets.US_ASCII), 0, 32);
                writer.write((1_700_000_000_000_000L + i) * 1_000L, f.capacity(), f.array(), 0, f.capacity());
                digests.add(Probe.sha256(f.array()));
            }
        }
        digests.sort(null);
        return digests;
    }

    private static int exec(final String... command) throws Exception {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(60, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
