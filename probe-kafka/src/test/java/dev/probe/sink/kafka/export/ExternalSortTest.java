package dev.probe.sink.kafka.export;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The external merge sort: order, bounded memory, private temporary files that are gone afterwards. */
class ExternalSortTest {
    @TempDir
    Path dir;

    private static List<ExternalSort.Packet> packets(final int count, final long seed) {
        final Random random = new Random(seed);
        final List<ExternalSort.Packet> packets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            final byte[] data = new byte[1 + random.nextInt(300)];
            random.nextBytes(data);
            // few distinct times, so that equal keys are ordered by partition and offset
            packets.add(new ExternalSort.Packet(1_700_000_000_000_000L + random.nextInt(count / 4), random.nextInt(4),
                    i, data.length + random.nextInt(2) * 1000, data));
        }
        return packets;
    }

    private List<ExternalSort.Packet> sortWith(final List<ExternalSort.Packet> input, final long memory,
                                               final List<String> seen) throws IOException {
        final List<ExternalSort.Packet> output = new ArrayList<>();
        try (ExternalSort sort = new ExternalSort(memory, dir)) {
            for (final ExternalSort.Packet p : input) {
                sort.add(p);
            }
            if (sort.folder() != null) {
                seen.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(sort.folder())));
                try (Stream<Path> runs = Files.list(sort.folder())) {
                    for (final Path run : runs.toList()) {
                        seen.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(run)));
                    }
                }
                seen.add("runs " + sort.runsWritten());
            }
            sort.drainTo(output::add);
        }
        return output;
    }

    private static void assertSortedPermutation(final List<ExternalSort.Packet> input, final List<ExternalSort.Packet> output) {
        final List<ExternalSort.Packet> expected = new ArrayList<>(input);
        expected.sort(ExternalSort.ORDER);
        assertEquals(expected.size(), output.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).key(), output.get(i).key(), "key " + i);
            assertEquals(expected.get(i).partition(), output.get(i).partition(), "partition " + i);
            assertEquals(expected.get(i).offset(), output.get(i).offset(), "offset " + i);
            assertEquals(expected.get(i).wireLength(), output.get(i).wireLength(), "wire length " + i);
            assertArrayEquals(expected.get(i).data(), output.get(i).data(), "bytes " + i);
        }
    }

    @Test
    void whatFitsInMemoryIsSortedWithoutTemporaryFiles() throws IOException {
        final List<ExternalSort.Packet> input = packets(2_000, 1);
        final List<String> seen = new ArrayList<>();
        assertSortedPermutation(input, sortWith(input, 64L << 20, seen));
        assertEquals(List.of(), seen, "nothing spilled");
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void spilledRunsAreMergedIntoOneOrderAndDeletedAfterwards() throws IOException {
        final List<ExternalSort.Packet> input = packets(5_000, 2);
        final List<String> seen = new ArrayList<>();
        assertSortedPermutation(input, sortWith(input, 32 * 1024, seen));
        assertEquals("rwx------", seen.getFirst(), "the folder is the user's alone");
        assertTrue(seen.subList(1, seen.size() - 1).stream().allMatch("rw-------"::equals), seen.toString());
        final int runs = Integer.parseInt(seen.getLast().substring(5));
        assertTrue(runs > 10, "runs: " + runs);
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "temporary files deleted");
        }
    }

    @Test
    void moreRunsThanTheFanInAreMergedInSeveralPasses() throws IOException {
        final List<ExternalSort.Packet> input = packets(20_000, 3);
        final List<String> seen = new ArrayList<>();
        assertSortedPermutation(input, sortWith(input, 8 * 1024, seen));
        final int runs = Integer.parseInt(seen.getLast().substring(5));
        assertTrue(runs > ExternalSort.FAN_IN * 2, "runs: " + runs);
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "temporary files deleted");
        }
    }
}
