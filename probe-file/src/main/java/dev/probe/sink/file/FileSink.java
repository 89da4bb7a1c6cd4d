package dev.probe.sink.file;

import dev.probe.api.ProbeException;
import dev.probe.file.format.CaptureFormat;
import dev.probe.file.format.CaptureWriter;
import dev.probe.spi.PacketBatch;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkContext;
import dev.probe.spi.SinkCounters;
import dev.probe.spi.SinkFailure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The file sink of one transmit worker: writes its packets into capture files of its own, one at a
 * time, through one write buffer allocated at start.
 *
 * <p><b>Files.</b> A file is opened with the first packet that needs one, under its name plus
 * {@code .part}, and renamed to its name when it is complete: before it would outgrow
 * {@code rotate.size}, once it has been open {@code rotate.interval} (checked by {@link #tick()}), after
 * a write failure (cut after its last whole packet), and at {@link #close()}. After each completed file
 * the worker's oldest complete files are deleted beyond the retention limits.
 *
 * <p><b>Accounting.</b> A packet is delivered when its bytes were written to the file (the write
 * returned), with its captured bytes; until then it waits in the buffer, in flight. The buffer is
 * written out when full, when its oldest packet has waited {@code linger} ({@link #tick()}), at
 * rotation, at {@link #flush} and at {@link #close()}. A packet that cannot be written is failed:
 * {@link SinkFailure#NO_SPACE} on a full disk, {@link SinkFailure#IO_ERROR} for any other write or open
 * failure (a folder gone or read-only), {@link SinkFailure#INVALID_TIMESTAMP} for a time stamp the
 * format cannot hold, {@link SinkFailure#RECORD_TOO_LARGE} above {@link CaptureWriter#MAX_SNAPLEN}
 * captured bytes. After a write failure the packets of the buffer are failed and the file is cut to
 * its whole packets; for {@code retry-interval} every packet is failed at once with the same reason,
 * then the next packet tries a new file. Nothing is ever thrown for a destination error.
 *
 * <p><b>Threads.</b> Created on the main thread; every other method but {@link #counters()} and
 * {@link #details()} on the worker's thread (or {@link #close()} on the main thread when start-up
 * failed). The gauges of {@link #details()} are published through volatile fields.
 */
final class FileSink implements Sink {
    private static final System.Logger LOG = System.getLogger(FileSink.class.getName());
    private static final long NONE = Long.MIN_VALUE;
    /** The packet size {@link #available()} plans with: a minimum Ethernet frame. */
    private static final int PLANNED_FRAME = 60;
    /** How many names are tried when the next ones are taken. */
    private static final int NAME_ATTEMPTS = 1000;

    private final FileSinkSettings settings;
    private final CaptureFormat format;
    private final String worker;
    private final int linkType;
    private final SinkFolder folder;
    private final LongSupplier clock;
    private final ByteBuffer buffer;
    private final int plannedRecord;
    private final long lingerNanos;
    private final long rotateIntervalNanos;
    private final long fsyncIntervalNanos;
    private final long retryNanos;
    private final SinkCounters counters = new SinkCounters();

    // Worker thread only.
    private long nextSequence;
    private CaptureWriter writer;
    private FileChannel channel;
    private Path partPath;
    private Path completePath;
    private long openedAt;
    private long settledRecords;
    private long settledBytes;
    private long firstBufferedAt = NONE;
    private long syncedBytes;
    private long lastSyncAt;
    /** Why the last write or open failed, until a write succeeds again; null when healthy. */
    private SinkFailure failure;
    private long retryAt;
    private long completeBytes;
    private boolean closed;

    // Gauges, written by the worker thread, read by the stats thread.
    private volatile long filesWritten;
    private volatile long filesDeleted;
    private volatile long bytesOnDisk;
    private volatile long currentFileBytes;
    private volatile long currentFilePackets;

    private FileSink(final FileSinkSettings settings, final SinkContext context, final SinkFolder folder,
                     final LongSupplier clock) {
        this.settings = settings;
        this.format = settings.format();
        this.worker = FileNamePattern.safeWorker(context.workerName());
        this.linkType = context.linkType();
        this.folder = folder;
        this.clock = clock;
        this.buffer = allocate(settings.bufferSize(), worker);
        this.plannedRecord = (int) format.recordLength(PLANNED_FRAME);
        this.lingerNanos = settings.linger().toNanos();
        this.rotateIntervalNanos = settings.rotateInterval().toNanos();
        this.fsyncIntervalNanos = settings.fsyncInterval().toNanos();
        this.retryNanos = settings.retryInterval().toNanos();
    }

    private static ByteBuffer allocate(final int bytes, final String worker) {
        try {
            return ByteBuffer.allocateDirect(bytes);
        } catch (OutOfMemoryError e) {
            throw new ProbeException("The file sink of " + worker + " cannot allocate its " + FileSinkSettings.bytes(bytes)
                    + " write buffer (" + e.getMessage() + "): lower " + FileSinkSettings.PATH
                    + ".buffer-size or raise the JVM's -XX:MaxDirectMemorySize", e);
        }
    }

    /**
     * Creates the sink of the worker of {@code context}: finds the next file number and applies the
     * retention limits to the files earlier runs left. Opens no file yet. Main thread.
     *
     * @param clock monotonic nanoseconds, such as {@link System#nanoTime}
     * @throws ProbeException naming {@code probe.sink.file.directory} when the folder cannot be listed, or
     *         the setting at fault when the source's link type or the write buffer cannot be had
     */
    static FileSink start(final FileSinkSettings settings, final SinkContext context, final SinkFolder folder,
                          final LongSupplier clock) {
        if (context.linkType() < 0 || context.linkType() > 0xFFFF) {
            throw new ProbeException("The file sink cannot write link type " + context.linkType()
                    + " of the source: capture files hold link types 0 to 65535 (" + FileSinkSettings.PATH + ")");
        }
        final FileSink sink = new FileSink(settings, context, folder, clock);
        try {
            sink.nextSequence = folder.nextSequence(sink.worker);
        } catch (IOException | UncheckedIOException e) {
            throw new ProbeException("The file sink cannot list " + folder.directory() + ": " + SinkCounters.describe(e)
                    + " (" + FileSinkSettings.DIRECTORY_PATH + ")", e);
        }
        sink.applyRetention();
        sink.publishGauges();
        return sink;
    }

    /**
     * {@inheritDoc} How many minimum-size packets still fit in the write buffer; when none does, the
     * buffer is written out first. Without an open file, what the whole buffer holds (the next send
     * opens a file, or fails its packets at once while the folder cannot be written). 0 once closed.
     */
    @Override
    public int available() {
        if (closed) {
            return 0;
        }
        if (writer != null && writer.bufferRoom() < plannedRecord) {
            writeOut(clock.getAsLong());
        }
        final int room = writer == null ? buffer.capacity() : writer.bufferRoom();
        return Math.max(1, room / plannedRecord);
    }

    /** {@inheritDoc} Copies every packet into the write buffer; see the class comment for what is counted how. */
    @Override
    public void send(final PacketBatch batch) {
        final int n = batch.size();
        counters.onSent(n);
        if (closed) {
            counters.onFailed(SinkFailure.SHUTDOWN, n);
            return;
        }
        final long now = clock.getAsLong();
        for (int i = 0; i < n; i++) {
            final int captured = batch.capturedLength(i);
            if (captured > CaptureWriter.MAX_SNAPLEN) {
                tooLarge(captured);
                continue;
            }
            final long timestamp = batch.timestampNanos(i);
            if (!format.accepts(timestamp)) {
                invalidTimestamp(timestamp);
                continue;
            }
            if (writer != null && settings.rotateSize() > 0 && writer.records() > 0
                    && writer.size() + format.recordLength(captured) > settings.rotateSize()) {
                completeFile(now);
            }
            if (writer == null && !openFile(timestamp, now)) {
                // The folder cannot be written now: the rest of the batch fails with the same reason.
                counters.onFailed(failure, n - i);
                break;
            }
            try {
                writer.write(batch, i);
            } catch (IOException e) {
                writeFailed(e, 1, now);
            }
        }
        if (writer != null) {
            if (settle() || writer.bufferedRecords() == 0) {
                firstBufferedAt = NONE;
            }
            if (writer.bufferedRecords() > 0 && firstBufferedAt == NONE) {
                firstBufferedAt = now;
            }
            if (lingerNanos == 0) {
                writeOut(now);
            }
        }
        syncIfDue(now);
        publishGauges();
    }

    /**
     * {@inheritDoc} Writes out a buffer whose oldest packet has waited {@code linger}, completes a file
     * open for {@code rotate.interval}, and forces the file to the disk when {@code fsync = interval}
     * is due.
     */
    @Override
    public void tick() {
        if (closed || writer == null) {
            return;
        }
        final long now = clock.getAsLong();
        if (writer.bufferedRecords() > 0 && firstBufferedAt != NONE && now - firstBufferedAt >= lingerNanos) {
            writeOut(now);
        }
        if (writer != null && rotateIntervalNanos > 0 && now - openedAt >= rotateIntervalNanos) {
            completeFile(now);
        }
        syncIfDue(now);
        publishGauges();
    }

    /** {@inheritDoc} Writes the buffer out at once; file writes do not wait, so {@code timeout} is not needed. */
    @Override
    public boolean flush(final Duration timeout) {
        if (!closed && writer != null) {
            writeOut(clock.getAsLong());
            publishGauges();
        }
        return counters.inFlight() == 0;
    }

    @Override
    public SinkCounters counters() {
        return counters;
    }

    /**
     * {@inheritDoc} {@code files-written} (completed by this worker in this run), {@code files-deleted}
     * (by retention), {@code bytes-on-disk} (this worker's complete files and what was written of the
     * current one), {@code current-file-bytes} and {@code current-file-packets} (written so far).
     */
    @Override
    public Map<String, Double> details() {
        return Map.of("files-written", (double) filesWritten, "files-deleted", (double) filesDeleted,
                "bytes-on-disk", (double) bytesOnDisk, "current-file-bytes", (double) currentFileBytes,
                "current-file-packets", (double) currentFilePackets);
    }

    /**
     * {@inheritDoc} Writes the buffer out, forces the file to the disk unless {@code fsync = never},
     * renames it complete and applies retention. Packets it cannot write are failed with their reason;
     * nothing is left in flight.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        completeFile(clock.getAsLong());
        final long left = counters.inFlight();
        if (left > 0) {
            counters.onFailed(SinkFailure.SHUTDOWN, (int) Math.min(Integer.MAX_VALUE, left));
        }
        publishGauges();
    }

    /** Opens the next file, unless a failure is waiting out its retry interval; false when there is no file. */
    private boolean openFile(final long firstPacketNanos, final long now) {
        if (failure != null && now - retryAt < 0) {
            return false;
        }
        for (int attempt = 0; attempt < NAME_ATTEMPTS; attempt++) {
            final Path complete = folder.directory().resolve(
                    settings.fileName().name(worker, nextSequence++, firstPacketNanos, format));
            final Path part = complete.resolveSibling(complete.getFileName() + FileNamePattern.PART_SUFFIX);
            if (Files.exists(complete)) {
                continue;
            }
            try {
                channel = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                continue;
            } catch (IOException e) {
                failed(classify(e), 0, "cannot create " + part, e, now);
                return false;
            }
            writer = CaptureWriter.open(format, channel, buffer, linkType, CaptureWriter.MAX_SNAPLEN);
            partPath = part;
            completePath = complete;
            openedAt = now;
            lastSyncAt = now;
            settledRecords = 0;
            settledBytes = 0;
            syncedBytes = 0;
            firstBufferedAt = NONE;
            return true;
        }
        failed(SinkFailure.IO_ERROR, 0, "cannot create a file in " + folder.directory(), new IOException(
                NAME_ATTEMPTS + " names in a row are taken, up to " + settings.fileName().name(worker, nextSequence - 1,
                firstPacketNanos, format)), now);
        return false;
    }

    /** Writes the buffer out; on failure fails its packets and cuts the file. */
    private void writeOut(final long now) {
        try {
            writer.flush();
        } catch (IOException e) {
            writeFailed(e, 0, now);
            return;
        }
        settle();
        firstBufferedAt = NONE;
    }

    /** Counts what the writer wrote since the last call as delivered; true when there was any. */
    private boolean settle() {
        final long records = writer.recordsWritten();
        if (records == settledRecords) {
            return false;
        }
        final long bytes = writer.capturedBytesWritten();
        counters.onDelivered((int) (records - settledRecords), bytes - settledBytes);
        settledRecords = records;
        settledBytes = bytes;
        if (failure != null) {
            LOG.log(Level.INFO, "file sink " + worker + ": writing to " + folder.directory() + " again");
            failure = null;
        }
        return true;
    }

    /**
     * The writer failed: what it wrote whole is delivered, its buffered packets and {@code extra} more
     * (the one being written) fail, and the file is cut to its whole packets and completed.
     */
    private void writeFailed(final IOException e, final int extra, final long now) {
        settle();
        final int lost = writer.bufferedRecords() + extra;
        final long whole = writer.bytesWritten();
        final long records = writer.recordsWritten();
        writer = null;
        failed(classify(e), lost, "cannot write " + partPath, e, now);
        boolean cut;
        try {
            channel.truncate(whole);
            cut = true;
        } catch (IOException t) {
            cut = false;
            LOG.log(Level.WARNING, "file sink " + worker + ": cannot cut " + partPath + " after its last whole packet ("
                    + t.getMessage() + "); it stays unfinished until the next start");
        }
        closeChannel();
        if (!cut) {
            return;
        }
        if (records > 0) {
            publish();
            applyRetention();
        } else {
            deletePart();
        }
    }

    /** Completes the current file: writes it out, forces it to the disk per policy, renames it, applies retention. */
    private void completeFile(final long now) {
        if (writer == null) {
            return;
        }
        try {
            writer.flush();
        } catch (IOException e) {
            writeFailed(e, 0, now);
            return;
        }
        settle();
        final long records = writer.recordsWritten();
        writer = null;
        if (settings.fsync() != FsyncPolicy.NEVER) {
            force();
        }
        closeChannel();
        if (records == 0) {
            deletePart();
            return;
        }
        publish();
        applyRetention();
    }

    /** Renames the current file complete. */
    private void publish() {
        try {
            Files.move(partPath, completePath, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "file sink " + worker + ": cannot rename " + partPath + " to "
                    + completePath.getFileName() + " (" + SinkCounters.describe(e)
                    + "); it keeps that name, and the next start finishes it if it is still there");
            return;
        }
        filesWritten++;
        if (settings.fsync() != FsyncPolicy.NEVER) {
            try (FileChannel dir = FileChannel.open(folder.directory(), StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "file sink " + worker + ": cannot force the folder: " + e);
            }
        }
    }

    private void deletePart() {
        try {
            Files.deleteIfExists(partPath);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "file sink " + worker + ": cannot remove " + partPath + ": " + SinkCounters.describe(e));
        }
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "file sink " + worker + ": closing " + partPath + ": " + e);
        }
        channel = null;
    }

    private void force() {
        try {
            channel.force(false);
        } catch (IOException e) {
            // The packets were counted when written; a failing fsync can only be reported.
            LOG.log(Level.WARNING, "file sink " + worker + ": cannot force " + partPath + " to the disk: "
                    + SinkCounters.describe(e));
        }
    }

    private void syncIfDue(final long now) {
        if (settings.fsync() == FsyncPolicy.INTERVAL && writer != null && writer.bytesWritten() > syncedBytes
                && now - lastSyncAt >= fsyncIntervalNanos) {
            force();
            syncedBytes = writer.bytesWritten();
            lastSyncAt = now;
        }
    }

    /** Deletes the worker's oldest complete files beyond the limits; counts what is on the disk. */
    private void applyRetention() {
        try {
            final List<SinkFolder.OwnFile> files = folder.complete(worker);
            long total = 0;
            for (final SinkFolder.OwnFile f : files) {
                total += f.size();
            }
            int count = files.size();
            for (final SinkFolder.OwnFile oldest : files) {
                if (!(settings.maxFiles() > 0 && count > settings.maxFiles()
                        || settings.maxBytes() > 0 && total > settings.maxBytes())) {
                    break;
                }
                try {
                    if (Files.deleteIfExists(oldest.path())) {
                        filesDeleted++;
                    }
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "file sink " + worker + ": cannot delete " + oldest.path() + " for retention: "
                            + SinkCounters.describe(e));
                }
                count--;
                total -= oldest.size();
            }
            completeBytes = total;
        } catch (IOException | UncheckedIOException e) {
            LOG.log(Level.WARNING, "file sink " + worker + ": cannot list " + folder.directory() + " for retention: "
                    + SinkCounters.describe(e));
        }
    }

    /**
     * Counts {@code packets} failed for {@code reason}, keeping the first message, and starts waiting
     * {@code retry-interval} before the next file.
     */
    private void failed(final SinkFailure reason, final int packets, final String what, final IOException e,
                        final long now) {
        final String message = what + ": " + describe(e);
        counters.onFailed(reason, packets, message);
        if (failure == null) {
            LOG.log(Level.WARNING, "file sink " + worker + ": " + message + "; packets are dropped as " + reason.key()
                    + " and a new file is tried " + (retryNanos == 0 ? "with the next packet"
                    : "every " + FileSinkSettings.duration(settings.retryInterval())));
        }
        failure = reason;
        retryAt = now + retryNanos;
    }

    /** {@code "FileSystemException: Read-only file system"}: the exception without the path the message names already. */
    private static String describe(final IOException e) {
        if (e instanceof NoSuchFileException) {
            return "NoSuchFileException: the folder does not exist";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return e.getClass().getSimpleName() + ": " + fs.getReason();
        }
        return SinkCounters.describe(e);
    }

    /** {@link SinkFailure#NO_SPACE} for a full disk or quota, else {@link SinkFailure#IO_ERROR}. */
    private SinkFailure classify(final IOException e) {
        final String message = String.valueOf(e.getMessage());
        if (message.contains("No space left on device") || message.contains("Disk quota exceeded")) {
            return SinkFailure.NO_SPACE;
        }
        // The message may be translated: a store with less room than a buffer is full too.
        try {
            if (Files.getFileStore(folder.directory()).getUsableSpace() < buffer.capacity()) {
                return SinkFailure.NO_SPACE;
            }
        } catch (IOException | RuntimeException ignored) {
            // the folder is gone or unreadable: an I/O error
        }
        return SinkFailure.IO_ERROR;
    }

    private void tooLarge(final int captured) {
        counters.onFailed(SinkFailure.RECORD_TOO_LARGE, 1, counters.firstError(SinkFailure.RECORD_TOO_LARGE) != null ? null
                : "a packet of " + captured + " captured bytes is above the " + CaptureWriter.MAX_SNAPLEN
                + " bytes capture-file readers accept");
    }

    private void invalidTimestamp(final long timestamp) {
        counters.onFailed(SinkFailure.INVALID_TIMESTAMP, 1, counters.firstError(SinkFailure.INVALID_TIMESTAMP) != null
                ? null
                : "time stamp " + Instant.ofEpochSecond(Math.floorDiv(timestamp, 1_000_000_000L),
                Math.floorMod(timestamp, 1_000_000_000L)) + " cannot be written in " + format.extension()
                + (format == CaptureFormat.PCAPNG ? " (before 1970)"
                : " (32-bit seconds: 1970 to 2106-02-07T06:28:15Z; format = pcapng has no such limit, "
                + FileSinkSettings.FORMAT_PATH + ")"));
    }

    private void publishGauges() {
        final long current = writer == null ? 0 : writer.bytesWritten();
        currentFileBytes = current;
        currentFilePackets = writer == null ? 0 : writer.recordsWritten();
        bytesOnDisk = completeBytes + current;
    }
}
