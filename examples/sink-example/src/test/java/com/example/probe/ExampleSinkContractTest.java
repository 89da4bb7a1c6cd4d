package com.example.probe;

import dev.probe.spi.SinkProvider;
import dev.probe.testkit.Destination;
import dev.probe.testkit.Received;
import dev.probe.testkit.SinkContractTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The example sink keeps the probe's sink contract: the test kit's eleven checks, run by this one class. */
class ExampleSinkContractTest extends SinkContractTest {

    @Override
    protected SinkProvider provider() {
        return new ExampleSinkProvider();
    }

    /** A folder of this test's own; lines linger at most 50 ms. */
    @Override
    protected Destination destination(final Path folder) {
        return Destination.of(Map.of("probe.sink.example.directory", folder.toString(),
                "probe.sink.example.max-linger", "50ms"), atLeast -> read(folder));
    }

    /** The worker's file is /dev/full: every write fails with "No space left on device". */
    @Override
    protected Destination failingDestination(final Path folder) throws IOException {
        final Path link = Files.createSymbolicLink(folder.resolve(WORKER + ".jsonl"), Path.of("/dev/full"));
        return destination(folder).closedBy(() -> Files.delete(link));
    }

    /** max-linger of 50 ms, and the ticks that notice it. */
    @Override
    protected Duration deliveryBound() {
        return Duration.ofMillis(250);
    }

    private static final Pattern LINE = Pattern.compile(
            "\\{\"time_ns\":(-?\\d+),\"wire_length\":(\\d+),\"captured_length\":(\\d+),\"frame\":\"([0-9a-f]*)\"}");

    /** Every line of every worker's file in {@code folder}. */
    static List<Received> read(final Path folder) throws IOException {
        final List<Received> received = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (final Path file : files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()) {
                for (final String line : Files.readAllLines(file)) {
                    final Matcher m = LINE.matcher(line);
                    if (!m.matches()) {
                        throw new AssertionError(file + ": not a line the sink writes: " + line);
                    }
                    final byte[] frame = HexFormat.of().parseHex(m.group(4));
                    if (frame.length != Integer.parseInt(m.group(3))) {
                        throw new AssertionError(file + ": captured_length " + m.group(3) + " of a " + frame.length + "-byte frame");
                    }
                    received.add(new Received(Long.parseLong(m.group(1)), Integer.parseInt(m.group(2)), frame));
                }
            }
        }
        return received;
    }
}
