package dev.probe.source.pcap;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import dev.probe.api.PacketBurst;
import dev.probe.spi.CaptureSource;
import dev.probe.spi.ReceiveQueue;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Opening the pcap source from settings and draining it, for the tests of this module. */
final class Captures {
    private Captures() {
    }

    /** {@code hocon} over the reference configuration, as the launcher resolves it. */
    static Config config(final String hocon) {
        return ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve();
    }

    /** The setting that names {@code file}, quoted for HOCON. */
    static String fileSetting(final Path file) {
        return "probe.source.pcap.file = " + ConfigUtil.quoteString(file.toString()) + "\n";
    }

    /** Opens {@code file} through the provider with extra settings. */
    static CaptureSource openFile(final Path file, final String moreHocon) {
        return new PcapSourceProvider().open(config(fileSetting(file) + moreHocon));
    }

    /** A packet the source handed out, copied before release. */
    record Packet(long timestampNanos, int capturedLength, int wireLength, byte[] data) {
    }

    /** Copies packet {@code i} of {@code burst}. */
    static Packet copy(final CaptureSource source, final PacketBurst burst, final int i) {
        final byte[] data = source.memory().data(burst.handle(i), burst.capturedLength(i)).toArray(ValueLayout.JAVA_BYTE);
        return new Packet(burst.timestampNanos(i), burst.capturedLength(i), burst.wireLength(i), data);
    }

    /**
     * Polls the only queue with bursts of {@code burstSize} until {@link ReceiveQueue#END_OF_INPUT},
     * copying and releasing every packet after each poll.
     *
     * @throws AssertionError when a poll returns 0 too often: files never make the source wait here
     */
    static List<Packet> drain(final CaptureSource source, final int burstSize) {
        final ReceiveQueue queue = source.queues().getFirst();
        final PacketBurst burst = new PacketBurst(burstSize);
        final List<Packet> packets = new ArrayList<>();
        int idlePolls = 0;
        while (true) {
            burst.clear();
            final int n = queue.poll(burst);
            if (n == ReceiveQueue.END_OF_INPUT) {
                return packets;
            }
            if (n == 0 && ++idlePolls > 1_000) {
                throw new AssertionError("the file source returned 0 a thousand times with every slot free");
            }
            if (n != burst.size()) {
                throw new AssertionError("poll returned " + n + " but the burst holds " + burst.size());
            }
            for (int i = 0; i < n; i++) {
                packets.add(copy(source, burst, i));
            }
            source.memory().release(burst, 0, n);
        }
    }
}
