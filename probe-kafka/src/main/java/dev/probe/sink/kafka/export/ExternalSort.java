package dev.probe.sink.kafka.export;

import dev.probe.api.ProbeException;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.stream.Stream;

/**
 * Sorts packets by capture time with bounded memory: an external merge sort. Packets are held in
 * memory up to a byte budget, then sorted and written to a temporary file as a sorted run; at the end
 * the runs (and what is still in memory) are merged, at most {@link #FAN_IN} at a time, into one
 * sequence in order of capture time, then partition, then offset, so equal times keep a stable order.
 *
 * <p>Why not merge the partitions as they are read: records within one partition are not in capture-time
 * order (several transmit workers, and several receive queues, write to the same partition, and the
 * client may retry a batch after a later one), so the order has to be established, not only merged.
 *
 * <p>Temporary files live in a folder of their own (mode 0700), are created with mode 0600 since they
 * hold packets, and are deleted by {@link #close()}. Confined to one thread.
 */
final class ExternalSort implements AutoCloseable {
    /** Most runs merged in one pass; more are first merged into longer runs. */
    static final int FAN_IN = 64;
    /** Bytes a held packet costs beyond its data: the object, the array header, the list slot. */
    private static final int OVERHEAD = 80;
    private static final int BUFFER = 1 << 16;

    /** One packet with what orders it. */
    record Packet(long key, int partition, long offset, long wireLength, byte[] data) {
    }

    /** Capture time, then partition, then offset. */
    static final Comparator<Packet> ORDER = Comparator.comparingLong(Packet::key)
            .thenComparingInt(Packet::partition).thenComparingLong(Packet::offset);

    /** Receives packets in order. */
    @FunctionalInterface
    interface Sink {
        void accept(Packet packet) throws IOException;
    }

    private final long memoryBytes;
    private final Path parent;
    private final List<Packet> held = new ArrayList<>();
    private final List<Path> runs = new ArrayList<>();
    private long heldBytes;
    private Path folder;
    private int runsCreated;

    /**
     * @param memoryBytes the most bytes of packets held before a run is written
     * @param parent where the folder of temporary files is created
     */
    ExternalSort(final long memoryBytes, final Path parent) {
        this.memoryBytes = memoryBytes;
        this.parent = parent;
    }

    /** Takes one packet; may write a sorted run. */
    void add(final Packet packet) throws IOException {
        held.add(packet);
        heldBytes += packet.data().length + OVERHEAD;
        if (heldBytes >= memoryBytes) {
            runs.add(writeRun(held));
            held.clear();
            heldBytes = 0;
        }
    }

    /** Runs written to disk so far. */
    int runsWritten() {
        return runsCreated;
    }

    /** The folder of temporary files, or null while nothing was spilled. */
    Path folder() {
        return folder;
    }

    /** Hands every packet taken, in order, to {@code out}. Call once. */
    void drainTo(final Sink out) throws IOException {
        held.sort(ORDER);
        if (runs.isEmpty()) {
            for (final Packet p : held) {
                out.accept(p);
            }
            held.clear();
            return;
        }
        if (!held.isEmpty()) {
            runs.add(writeRun(held));
            held.clear();
            heldBytes = 0;
        }
        while (runs.size() > FAN_IN) {
            final List<Path> group = new ArrayList<>(runs.subList(0, FAN_IN));
            runs.subList(0, FAN_IN).clear();
            final Path merged = newRunFile();
            try (DataOutputStream data = output(merged)) {
                merge(group, p -> write(data, p));
            }
            for (final Path done : group) {
                Files.deleteIfExists(done);
            }
            runs.add(merged);
        }
        merge(runs, out);
    }

    private void merge(final List<Path> files, final Sink out) throws IOException {
        final List<RunReader> readers = new ArrayList<>();
        try {
            final PriorityQueue<RunReader> queue = new PriorityQueue<>(Comparator.comparing(RunReader::head, ORDER));
            for (final Path file : files) {
                final RunReader reader = new RunReader(file);
                readers.add(reader);
                if (reader.advance()) {
                    queue.add(reader);
                }
            }
            while (!queue.isEmpty()) {
                final RunReader next = queue.poll();
                out.accept(next.head());
                if (next.advance()) {
                    queue.add(next);
                }
            }
        } finally {
            for (final RunReader r : readers) {
                r.close();
            }
        }
    }

    private Path writeRun(final List<Packet> packets) throws IOException {
        packets.sort(ORDER);
        final Path file = newRunFile();
        try (DataOutputStream data = output(file)) {
            for (final Packet p : packets) {
                write(data, p);
            }
        }
        return file;
    }

    private Path newRunFile() throws IOException {
        if (folder == null) {
            try {
                folder = Files.createTempDirectory(parent, ".probe-export-sort-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (IOException e) {
                throw new ProbeException("Cannot create a folder for sorting in " + parent + ": " + e.getMessage()
                        + " (--sort needs room there for the packets that do not fit in --sort-memory)", e);
            }
        }
        runsCreated++;
        return Files.createFile(folder.resolve("run-" + runsCreated),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    private static DataOutputStream output(final Path file) throws IOException {
        return new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), BUFFER));
    }

    private static void write(final DataOutputStream out, final Packet p) throws IOException {
        out.writeLong(p.key());
        out.writeInt(p.partition());
        out.writeLong(p.offset());
        out.writeLong(p.wireLength());
        out.writeInt(p.data().length);
        out.write(p.data());
    }

    /** Deletes every temporary file and the folder. */
    @Override
    public void close() {
        held.clear();
        if (folder == null) {
            return;
        }
        try (Stream<Path> files = Files.list(folder)) {
            for (final Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the sort's temporary files in " + folder, e);
        }
    }

    /** Reads one run back, one packet ahead. */
    private static final class RunReader implements AutoCloseable {
        private final DataInputStream in;
        private Packet head;

        RunReader(final Path file) throws IOException {
            this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), BUFFER));
        }

        Packet head() {
            return head;
        }

        boolean advance() throws IOException {
            final long key;
            try {
                key = in.readLong();
            } catch (EOFException end) {
                head = null;
                return false;
            }
            final int partition = in.readInt();
            final long offset = in.readLong();
            final long wire = in.readLong();
            final byte[] data = new byte[in.readInt()];
            in.readFully(data);
            head = new Packet(key, partition, offset, wire, data);
            return true;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
