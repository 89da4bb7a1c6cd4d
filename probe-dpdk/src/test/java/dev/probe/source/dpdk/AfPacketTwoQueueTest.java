package dev.probe.source.dpdk;

import dev.probe.api.PacketBurst;
import dev.probe.testkit.NativeRequirement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two receive queues on {@code net_af_packet} over a veth pair: frames of many UDP flows replayed into
 * the peer with tcpreplay are spread by the kernel's fanout hash over both queues, and every one of
 * them is received exactly once. Needs root (veth, raw sockets) and tcpreplay.
 */
class AfPacketTwoQueueTest {
    private static final String IFACE = "vprobe0";
    private static final String PEER = "vprobe1";
    private static final int FLOWS = 64;
    private static final int FRAMES = 4000;
    private static final int MARK_PORT = 47999;
    /** Frames of each kernel ring: af_packet in DPDK 22.11 does not count what the kernel drops when one is full. */
    private static final int RING_FRAMES = 8192;
    private static boolean vethCreated;

    @BeforeAll
    static void createVethPair() throws Exception {
        TestConfigs.requireDpdk();
        NativeRequirement.require(onPath("tcpreplay"), "tcpreplay is not installed (apt-get install tcpreplay)");
        NativeRequirement.require(onPath("ip"), "iproute2 is not installed");
        run("ip", "link", "del", IFACE);
        final int rc = run("ip", "link", "add", IFACE, "type", "veth", "peer", "name", PEER);
        NativeRequirement.require(rc == 0, "cannot create a veth pair: root (CAP_NET_ADMIN) is needed");
        vethCreated = true;
        for (final String i : List.of(IFACE, PEER)) {
            run("sysctl", "-q", "-w", "net.ipv6.conf." + i + ".disable_ipv6=1");
            assertEquals(0, run("ip", "link", "set", i, "up"));
        }
        assertEquals(0, run("ip", "link", "set", IFACE, "promisc", "on"));
    }

    @AfterAll
    static void deleteVethPair() throws Exception {
        if (vethCreated) {
            run("ip", "link", "del", IFACE);
        }
    }

    @Test
    void flowsReplayedIntoAVethAreSpreadOverTwoQueuesAndAllReceived(@TempDir final Path dir) throws Exception {
        final Path pcap = dir.resolve("flows.pcap");
        Files.write(pcap, syntheticPcap());
        final List<String> eal = TestConfigs.ealArgs("probe-test-afpacket",
                List.of("net_af_packet0,iface=" + IFACE + ",qpairs=2,framecnt=" + RING_FRAMES));
        try (DpdkSource source = DpdkSource.open(TestConfigs.config(eal, Map.of(
                "port", "net_af_packet0", "rx-queues", 2, "mbufs", 8191, "link-wait", "2s")))) {
            assertEquals(2, source.queues().size());
            assertTrue(source.isLive(), "af_packet is live");
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLongArray marked = new AtomicLongArray(2);
            final Thread[] workers = new Thread[2];
            for (int q = 0; q < 2; q++) {
                final DpdkReceiveQueue queue = source.queues().get(q);
                workers[q] = Thread.ofPlatform().name("rx-" + q).start(() -> {
                    queue.onStart();
                    final PacketBurst burst = new PacketBurst(32);
                    while (!stop.get()) {
                        burst.clear();
                        final int n = queue.poll(burst);
                        for (int i = 0; i < n; i++) {
                            if (isMarked(source.memory().data(burst.handle(i), burst.capturedLength(i)))) {
                                marked.incrementAndGet(queue.id());
                            }
                        }
                        source.memory().release(burst, 0, n);
                        if (n == 0) {
                            Thread.onSpinWait();
                        }
                    }
                    queue.onStop();
                });
            }
            final Process replay = new ProcessBuilder("tcpreplay", "-q", "-i", PEER, "--topspeed", pcap.toString())
                    .redirectErrorStream(true).start();
            final String replayOut = new String(replay.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(replay.waitFor(60, TimeUnit.SECONDS), "tcpreplay finished");
            assertEquals(0, replay.exitValue(), "tcpreplay: " + replayOut);
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (marked.get(0) + marked.get(1) < FRAMES && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            stop.set(true);
            for (final Thread w : workers) {
                w.join(5_000);
            }
            final long q0 = marked.get(0);
            final long q1 = marked.get(1);
            System.out.printf("af_packet 2 queues: %d + %d of %d frames; details %s; drops %s%n", q0, q1, FRAMES,
                    source.details(), source.drops());
            assertTrue(q0 > 0 && q1 > 0, "both queues received frames: " + q0 + " and " + q1);
            assertEquals(FRAMES, q0 + q1, "every frame tcpreplay sent, once (drops " + source.drops() + ")");
            assertEquals(source.mbufPoolSize(), source.mbufsAvailable(), "pool full after release");
        }
    }

    private static boolean isMarked(final MemorySegment frame) {
        return frame.byteSize() >= 42
                && frame.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 12) == 0x0800
                && frame.get(ValueLayout.JAVA_BYTE, 23) == 17
                && (frame.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 36) & 0xFFFF) == MARK_PORT;
    }

    /** A pcap of {@link #FRAMES} UDP/IPv4 frames over {@link #FLOWS} flows (source address and port vary). */
    private static byte[] syntheticPcap() {
        final int frameLength = 14 + 20 + 8 + 32;
        final ByteBuffer b = ByteBuffer.allocate(24 + FRAMES * (16 + frameLength)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        for (int i = 0; i < FRAMES; i++) {
            final int flow = i % FLOWS;
            b.putInt(1_700_000_000 + i / 1000).putInt(i % 1000 * 1000).putInt(frameLength).putInt(frameLength);
            final ByteBuffer f = b.slice(b.position(), frameLength).order(ByteOrder.BIG_ENDIAN);
            f.put(new byte[] {0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02}).putShort((short) 0x0800);
            f.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 8 + 32)).putShort((short) i).putShort((short) 0)
                    .put((byte) 64).put((byte) 17).putShort((short) 0)
                    .putInt(0x0a000000 | (flow + 1)).putInt(0x0a0000fe);
            f.putShort((short) (20000 + flow)).putShort((short) MARK_PORT).putShort((short) (8 + 32)).putShort((short) 0);
            f.put(String.format("probe-dpdk-test frame %010d", i).getBytes(StandardCharsets.US_ASCII), 0, 32);
            b.position(b.position() + frameLength);
        }
        return b.array();
    }

    private static boolean onPath(final String tool) {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static int run(final String... command) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
