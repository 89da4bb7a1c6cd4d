package dev.probe.source.pcap;

import dev.probe.api.PacketBurst;
import dev.probe.api.ProbeException;
import dev.probe.spi.CaptureSource;
import dev.probe.spi.ReceiveQueue;
import dev.probe.testkit.NativeRequirement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Live capture on the loopback interface, which needs root (CAP_NET_RAW); skipped without it, failed under CI. */
class LoopbackCaptureTest {
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int DATAGRAMS = 5;

    private DatagramSocket receiver;
    private DatagramSocket sender;
    private int port;

    @BeforeEach
    void sockets() throws IOException {
        // a bound receiver owns the port, so nothing else on the machine sends to it
        receiver = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        sender = new DatagramSocket();
        port = receiver.getLocalPort();
    }

    @AfterEach
    void close() {
        receiver.close();
        sender.close();
    }

    @Test
    void capturesDatagramsSentToTheFilteredPortWithTheirPayloads() throws IOException {
        try (CaptureSource source = openLoopback("")) {
            assertEquals("pcap interface lo", source.description());
            final long before = System.currentTimeMillis() * 1_000_000L;
            final List<byte[]> payloads = send(DATAGRAMS, "capture");

            final List<Captures.Packet> frames = new ArrayList<>();
            final ReceiveQueue queue = source.queues().getFirst();
            final PacketBurst burst = new PacketBurst(7);
            final long deadline = System.nanoTime() + DEADLINE_NANOS;
            while (frames.size() < DATAGRAMS && System.nanoTime() < deadline) {
                burst.clear();
                final int n = queue.poll(burst);
                for (int i = 0; i < n; i++) {
                    frames.add(Captures.copy(source, burst, i));
                }
                source.memory().release(burst, 0, n);
            }
            final long after = System.currentTimeMillis() * 1_000_000L + 1_000_000L;

            assertEquals(DATAGRAMS, frames.size(), "frames captured within 10 s");
            for (int i = 0; i < DATAGRAMS; i++) {
                final Captures.Packet frame = frames.get(i);
                assertTrue(contains(frame.data(), payloads.get(i)), "payload " + i + " in frame " + i);
                assertEquals(frame.wireLength(), frame.capturedLength());
                assertTrue(frame.timestampNanos() >= before - 1_000_000L && frame.timestampNanos() <= after,
                        "time stamp " + frame.timestampNanos() + " within the test's [" + before + ", " + after + "]");
            }
            final Map<String, Long> drops = source.drops();
            assertEquals(Set.of("kernel", "interface", "no-buffer"), drops.keySet());
            assertEquals(0L, drops.get("no-buffer"));
            assertTrue(source.details().get("received") >= DATAGRAMS, source.details().toString());
        }
    }

    @Test
    void returnsZeroWhileNothingArrivesAndThePacketOnceOneIsSent() throws IOException {
        try (CaptureSource source = openLoopback("")) {
            final ReceiveQueue queue = source.queues().getFirst();
            final PacketBurst burst = new PacketBurst(32);
            // The receiver owns the filtered port and nothing has been sent to it yet.
            for (int i = 0; i < 100; i++) {
                assertEquals(0, queue.poll(burst));
                assertEquals(0, burst.size());
            }

            final byte[] payload = send(1, "idle").getFirst();
            int n = 0;
            final long deadline = System.nanoTime() + DEADLINE_NANOS;
            while (n == 0 && System.nanoTime() < deadline) {
                n = queue.poll(burst);
            }
            assertEquals(1, n, "the datagram sent, captured within 10 s");
            assertEquals(1, burst.size());
            assertTrue(contains(Captures.copy(source, burst, 0).data(), payload), "payload in the frame");
            source.memory().release(burst, 0, n);

            burst.clear();
            assertEquals(0, queue.poll(burst), "nothing more after the one datagram");
        }
    }

    @Test
    void dropsLivePacketsAsNoBufferWhileEverySlotIsHeld() throws IOException {
        try (CaptureSource source = openLoopback("probe.source.pcap.buffer-packets = 2")) {
            send(DATAGRAMS, "no-buffer");
            final ReceiveQueue queue = source.queues().getFirst();
            final PacketBurst held = new PacketBurst(7);
            final long deadline = System.nanoTime() + DEADLINE_NANOS;
            while ((held.size() < 2 || source.drops().get("no-buffer") < DATAGRAMS - 2) && System.nanoTime() < deadline) {
                queue.poll(held);
            }

            assertEquals(2, held.size(), "as many as there are slots");
            assertEquals(DATAGRAMS - 2L, source.drops().get("no-buffer"));
            source.memory().release(held, 0, held.size());
        }
    }

    private CaptureSource openLoopback(final String moreHocon) {
        try {
            return new PcapSourceProvider().open(Captures.config("probe.source.pcap { interface = lo, "
                    + "filter = \"udp and dst port " + port + "\" }\n" + moreHocon));
        } catch (ProbeException e) {
            final String message = e.getMessage().toLowerCase(java.util.Locale.ROOT);
            if (message.contains("permission") || message.contains("not permitted")) {
                NativeRequirement.skipOrFail("live capture on lo needs root or CAP_NET_RAW: " + e.getMessage());
            }
            throw e;
        }
    }

    private List<byte[]> send(final int count, final String tag) throws IOException {
        final List<byte[]> payloads = new ArrayList<>();
        final Set<String> seen = new HashSet<>();
        for (int i = 0; i < count; i++) {
            final String text = "probe-pcap " + tag + " datagram " + i + " " + System.nanoTime();
            assertTrue(seen.add(text));
            final byte[] payload = text.getBytes(StandardCharsets.US_ASCII);
            sender.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), port));
            payloads.add(payload);
        }
        return payloads;
    }

    private static boolean contains(final byte[] frame, final byte[] payload) {
        outer:
        for (int i = 0; i + payload.length <= frame.length; i++) {
            for (int j = 0; j < payload.length; j++) {
                if (frame[i + j] != payload[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
