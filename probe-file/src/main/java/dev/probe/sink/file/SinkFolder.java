package dev.probe.sink.file;

import dev.probe.file.format.CaptureRecovery;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The file sink's files in its folder: those of one worker, oldest first, and the unfinished ones an
 * earlier run left. Only names that match the {@link FileNamePattern} are the sink's. Immutable; its
 * methods touch the file system and may be called by any one thread at a time per worker.
 */
final class SinkFolder {

    /**
     * A complete file of the sink.
     *
     * @param path where it is
     * @param seq its number in its worker's sequence
     * @param size its size in bytes
     */
    record OwnFile(Path path, long seq, long size) {
    }

    private final Path directory;
    private final FileNamePattern pattern;

    SinkFolder(final Path directory, final FileNamePattern pattern) {
        this.directory = directory;
        this.pattern = pattern;
    }

    /** The folder. */
    Path directory() {
        return directory;
    }

    /** The complete files of {@code worker} (as {@link FileNamePattern#safeWorker} writes it), lowest number first. */
    List<OwnFile> complete(final String worker) throws IOException {
        final List<OwnFile> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (final Path entry : entries) {
                final FileNamePattern.Match m = pattern.match(entry.getFileName().toString());
                if (m != null && m.worker().equals(worker)) {
                    final long size;
                    try {
                        size = Files.size(entry);
                    } catch (java.nio.file.NoSuchFileException e) {
                        continue;   // deleted meanwhile
                    }
                    files.add(new OwnFile(entry, m.seq(), size));
                }
            }
        }
        files.sort(Comparator.comparingLong(OwnFile::seq).thenComparing(f -> f.path().getFileName().toString()));
        return files;
    }

    /** One above the highest file number of {@code worker} in the folder, complete or not; 0 when it has none. */
    long nextSequence(final String worker) throws IOException {
        long next = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (final Path entry : entries) {
                final String name = entry.getFileName().toString();
                FileNamePattern.Match m = pattern.match(name);
                if (m == null) {
                    m = pattern.matchPart(name);
                }
                if (m != null && m.worker().equals(worker)) {
                    next = Math.max(next, m.seq() + 1);
                }
            }
        }
        return next;
    }

    /**
     * Finishes the files an earlier run was writing when it ended ({@code .part} files of any worker):
     * each is cut after its last whole packet, forced to the disk and renamed to its complete name; one
     * without a whole packet is removed. Call only while no worker writes (at start-up).
     *
     * @return one line per file found, saying what was done, for the log
     */
    List<String> finishLeftovers() throws IOException {
        final List<Path> leftovers = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (final Path entry : entries) {
                if (pattern.matchPart(entry.getFileName().toString()) != null && Files.isRegularFile(entry)) {
                    leftovers.add(entry);
                }
            }
        }
        leftovers.sort(null);
        final List<String> report = new ArrayList<>();
        for (final Path part : leftovers) {
            report.add(finish(part));
        }
        return report;
    }

    private static String finish(final Path part) {
        final String name = part.getFileName().toString();
        final Path target = part.resolveSibling(name.substring(0, name.length() - FileNamePattern.PART_SUFFIX.length()));
        try {
            final CaptureRecovery.Whole whole;
            final long size;
            try (FileChannel file = FileChannel.open(part, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                size = file.size();
                whole = CaptureRecovery.whole(file);
                if (whole.records() > 0) {
                    file.truncate(whole.length());
                    file.force(true);
                }
            }
            if (whole.records() == 0) {
                Files.delete(part);
                return "removed " + part + ", left unfinished by an earlier run without a whole packet";
            }
            if (Files.exists(target)) {
                return "left " + part + " as it is, unfinished by an earlier run: " + target.getFileName() + " exists";
            }
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
            return "finished " + target + ", left unfinished by an earlier run: kept " + whole.records()
                    + " packets, cut " + (size - whole.length()) + " bytes of an incomplete one";
        } catch (IOException e) {
            return "could not finish " + part + ", left unfinished by an earlier run: " + e;
        }
    }
}
