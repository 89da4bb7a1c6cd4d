package dev.probe.demo;

import com.typesafe.config.Config;
import dev.probe.api.PacketBurst;
import dev.probe.api.ProbeException;
import dev.probe.runtime.ProbeRun;
import dev.probe.runtime.config.ConfigLoader;
import dev.probe.runtime.plugin.Plugins;
import dev.probe.runtime.stats.Snapshot;
import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.sink.kafka.export.ExportOptions;
import dev.probe.sink.kafka.export.ExportResult;
import dev.probe.sink.kafka.export.TopicExporter;
import dev.probe.spi.CaptureSource;
import dev.probe.spi.ReceiveQueue;
import dev.probe.source.pcap.PcapSourceProvider;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code probe demo}: the whole job on one machine with nothing installed. Generates a capture, starts a
 * real single-node Kafka broker (KRaft) on a free loopback port, runs the probe from the capture into a
 * 4-partition topic with two transmit workers, exports the topic back to pcap, checks that every packet
 * came back byte-exact with its capture time as key, prints a summary, then stops the broker and removes
 * its files. Runs on the calling thread.
 */
public final class Demo {
    private static final String TOPIC = "pcap";
    private static final int PARTITIONS = 4;

    private Demo() {
    }

    /**
     * @param packets how many packets to generate
     * @param keep keep the working folder (capture, export, summary) instead of deleting it
     * @return the exit status: 0 when everything came back byte-exact
     */
    public static int run(final int packets, final boolean keep, final PrintStream out) throws InterruptedException {
        final Path work;
        try {
            work = Files.createTempDirectory("probe-demo-");
        } catch (IOException e) {
            throw new ProbeException("Cannot create a temporary folder for the demo: " + e.getMessage() + " (set java.io.tmpdir)");
        }
        try {
            return run(work, packets, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (keep) {
                out.println("demo: files kept in " + work);
            } else {
                delete(work);
            }
        }
    }

    private static int run(final Path work, final int packets, final PrintStream out) throws IOException, InterruptedException {
        final Path capture = work.resolve("traffic.pcap");
        final Path exported = work.resolve("exported.pcap");
        final Path summary = work.resolve("summary.json");
        out.printf(Locale.ROOT, "demo: 1/4 generating %,d packets of TCP, UDP and ICMP traffic into %s%n", packets, capture);
        final FrameDigest sent = DemoTraffic.write(capture, packets, 20261125L);

        out.println("demo: 2/4 starting a single-node Kafka broker (KRaft) on loopback");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.defaults()
                .withPartitions(PARTITIONS).withAutoCreateTopics(false))) {
            broker.createTopic(TOPIC, PARTITIONS);
            out.println("demo:     broker at " + broker.bootstrapServers() + ", topic " + TOPIC + " with " + PARTITIONS + " partitions");

            out.println("demo: 3/4 capturing " + capture.getFileName() + " into Kafka (1 receive queue, 2 transmit workers)");
            final Plugins plugins = Plugins.classpath();
            final Config config = ConfigLoader.load(null, List.of(
                    "probe.source.type=pcap",
                    "probe.source.pcap.file=\"" + capture + "\"",
                    "probe.sink.type=kafka",
                    "probe.sink.kafka.topic=" + TOPIC,
                    "probe.sink.kafka.producer.bootstrap.servers=\"" + broker.bootstrapServers() + "\"",
                    "probe.transmit.workers-per-ring=2",
                    "probe.receive.idle-strategy=backoff",
                    "probe.transmit.idle-strategy=backoff",
                    "probe.stats.interval=1s"), plugins);
            final ProbeRun.Result result = new ProbeRun(config, plugins, summary, out).execute();
            final Snapshot s = result.snapshot();

            out.println("demo: 4/4 exporting topic " + TOPIC + " back to " + exported.getFileName());
            final ExportResult export = TopicExporter.export(ExportOptions.of(broker.bootstrapServers(), TOPIC)
                    .withMaxPackets(s.delivered()).withIdleTimeout(Duration.ofSeconds(10)).withOutput(exported.toString()));
            final FrameDigest back = read(exported);

            final boolean exact = back.sameAs(sent);
            out.println();
            out.println("demo result");
            out.printf(Locale.ROOT, "  generated   %,12d packets  %,14d bytes%n", sent.packets(), sent.bytes());
            out.printf(Locale.ROOT, "  captured    %,12d packets%n", s.captured());
            out.printf(Locale.ROOT, "  delivered   %,12d packets  %,14d bytes   (%.0f packets/s)%n", s.delivered(), s.bytesDelivered(),
                    s.delivered() / Math.max(1e-9, s.elapsedNanos() / 1e9));
            out.printf(Locale.ROOT, "  dropped     %,12d packets  %s%n", s.droppedTotal(), s.droppedTotal() == 0 ? "" : s.dropped());
            out.printf(Locale.ROOT, "  in flight   %,12d packets%n", s.inFlight());
            out.printf(Locale.ROOT, "  exported    %,12d packets from %d partitions%n", export.packetsWritten(), PARTITIONS);
            out.println("  round trip  " + (exact
                    ? "every packet came back byte-exact, with its capture time as key and its wire length"
                    : "MISMATCH: what came back differs from what was generated"));
            final boolean ok = exact && result.exitCode() == 0 && s.delivered() == s.captured() && s.inFlight() == 0
                    && sent.packets() == s.captured();
            out.println(ok ? "demo: OK" : "demo: FAILED");
            return ok ? 0 : 1;
        } finally {
            out.println("demo: broker stopped");
        }
    }

    /** Reads a pcap file back through the pcap capture source. */
    private static FrameDigest read(final Path file) {
        final FrameDigest digest = new FrameDigest();
        final Config config = ConfigLoader.load(null, List.of("probe.source.pcap.file=\"" + file + "\""),
                Plugins.classpath());
        try (CaptureSource source = new PcapSourceProvider().open(config)) {
            final ReceiveQueue queue = source.queues().get(0);
            final PacketBurst burst = new PacketBurst(256);
            while (true) {
                burst.clear();
                final int n = queue.poll(burst);
                if (n == ReceiveQueue.END_OF_INPUT) {
                    return digest;
                }
                for (int i = 0; i < n; i++) {
                    final byte[] bytes = source.memory().data(burst.handle(i), burst.capturedLength(i)).toArray(ValueLayout.JAVA_BYTE);
                    digest.add(burst.timestampMicros(i), bytes, burst.wireLength(i));
                }
                source.memory().release(burst, 0, n);
            }
        }
    }

    private static void delete(final Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Nothing more to do: the folder is in the temporary directory.
        }
    }
}
