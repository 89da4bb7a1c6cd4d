package dev.probe.sink.file;

import dev.probe.spi.SinkProvider;
import dev.probe.testkit.CaptureFile;
import dev.probe.testkit.Destination;
import dev.probe.testkit.Received;
import dev.probe.testkit.SinkContractTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The file sink keeps the probe's sink contract: the test kit's checks, run against real pcapng files. */
class FileSinkContractTest extends SinkContractTest {

    @Override
    protected SinkProvider provider() {
        return new FileSinkProvider();
    }

    /** pcapng files in a folder of this test's own; buffered packets linger at most 50 ms. */
    @Override
    protected Destination destination(final Path folder) {
        return Destination.of(Map.of("probe.sink.file.directory", folder.toString(), "probe.sink.file.format", "pcapng",
                "probe.sink.file.linger", "50ms"), atLeast -> read(folder));
    }

    /** The folder disappears once the sink is created: every write fails (sink-io-error), nothing throws. */
    @Override
    protected Destination failingDestination(final Path folder) {
        return destination(folder).failingOnceCreated(() -> {
            try (Stream<Path> files = Files.walk(folder)) {
                for (final Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** linger of 50 ms, and the ticks that notice it. */
    @Override
    protected Duration deliveryBound() {
        return Duration.ofMillis(250);
    }

    /**
     * Every packet of every file the sink wrote in {@code folder}, the one still being written (its
     * temporary name) included: what the sink counted as delivered has been written to it.
     */
    private static List<Received> read(final Path folder) throws IOException {
        final List<Received> received = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (final Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                for (final CaptureFile.Record r : CaptureFile.read(file)) {
                    received.add(new Received(r.timestampNanos(), r.wireLength(), r.data()));
                }
            }
        }
        return received;
    }
}
