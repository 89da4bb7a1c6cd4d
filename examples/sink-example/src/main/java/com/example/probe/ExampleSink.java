package com.example.probe;

import dev.probe.api.ProbeException;
import dev.probe.spi.PacketBatch;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkCounters;
import dev.probe.spi.SinkFailure;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

/**
 * One transmit worker's sink: appends each packet as a line of JSON to {@code <directory>/<worker>.jsonl}.
 *
 * <p>{@link #send} copies each packet into a line in its buffer (the packet's memory is reused as soon as
 * {@code send} returns); the buffer is written to the file when it holds {@code buffer-packets} packets,
 * when its oldest packet has waited {@code max-linger} ({@link #tick()}, which the worker calls even when
 * no packets come), at {@link #flush} and at {@link #close()}. A packet counts as delivered once its line
 * is written to the file; a write that fails counts the packets of that buffer as failed, with the
 * reason ({@code sink-no-space} for a full disk, {@code sink-io-error} otherwise) and the error's message.
 * Nothing is thrown: the probe keeps running and its stats say what was lost.
 *
 * <p>Threads: created on the main thread; {@link #available}, {@link #send}, {@link #tick}, {@link #flush}
 * and {@link #close} on the worker's thread only, one at a time; {@link #counters} and {@link #details}
 * on any thread.
 */
final class ExampleSink implements Sink {
    private static final HexFormat HEX = HexFormat.of();

    private final Path file;
    private final FileChannel channel;
    private final long maxLingerNanos;
    private final int bufferPackets;
    private final SinkCounters counters = new SinkCounters();
    private final StringBuilder lines = new StringBuilder();
    private byte[] scratch = new byte[2048];
    private int buffered;
    private long bufferedBytes;
    private long oldestNanos;
    private boolean closed;
    /** Bytes written to the file so far, for details(); written by the worker, read by the stats thread. */
    private volatile long bytesWritten;

    private ExampleSink(final Path file, final FileChannel channel, final Duration maxLinger, final int bufferPackets) {
        this.file = file;
        this.channel = channel;
        this.maxLingerNanos = maxLinger.toNanos();
        this.bufferPackets = bufferPackets;
    }

    /**
     * Opens (creating the folder and file if needed) the file of worker {@code workerName}.
     *
     * @throws ProbeException one line naming the file and the setting when it cannot be opened
     */
    static ExampleSink open(final Path directory, final String workerName, final Duration maxLinger, final int bufferPackets) {
        final Path file = directory.resolve(workerName + ".jsonl");
        try {
            Files.createDirectories(directory);
            final FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            return new ExampleSink(file, channel, maxLinger, bufferPackets);
        } catch (IOException e) {
            throw new ProbeException("Cannot open " + file + " for writing: " + e + " (probe.sink.example.directory)", e);
        }
    }

    /** Room left in the buffer; the buffer is written out before it overflows, so this is never 0 for long. */
    @Override
    public int available() {
        return closed ? 0 : bufferPackets - buffered;
    }

    @Override
    public void send(final PacketBatch batch) {
        final int n = batch.size();
        counters.onSent(n);
        if (closed) {
            counters.onFailed(SinkFailure.SHUTDOWN, n, "sent after close");
            return;
        }
        for (int i = 0; i < n; i++) {
            final int length = batch.capturedLength(i);
            if (scratch.length < length) {
                scratch = new byte[Math.max(length, scratch.length * 2)];
            }
            batch.copyTo(i, scratch, 0);
            if (buffered == 0) {
                oldestNanos = System.nanoTime();
            }
            lines.append("{\"time_ns\":").append(batch.timestampNanos(i))
                    .append(",\"wire_length\":").append(batch.wireLength(i))
                    .append(",\"captured_length\":").append(length)
                    .append(",\"frame\":\"");
            HEX.formatHex(lines, scratch, 0, length);
            lines.append("\"}\n");
            buffered++;
            bufferedBytes += length;
            if (buffered == bufferPackets) {
                writeOut();
            }
        }
    }

    /** Writes the buffer out once its oldest packet has waited max-linger: packets never wait for the next send. */
    @Override
    public void tick() {
        if (buffered > 0 && System.nanoTime() - oldestNanos >= maxLingerNanos) {
            writeOut();
        }
    }

    /** Writes the buffer out; afterwards nothing is in flight, so it returns true at once. */
    @Override
    public boolean flush(final Duration timeout) {
        writeOut();
        return true;
    }

    @Override
    public SinkCounters counters() {
        return counters;
    }

    @Override
    public Map<String, Double> details() {
        return Map.of("bytes-written", (double) bytesWritten);
    }

    /** Writes out what is buffered and closes the file. A second call does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        writeOut();
        try {
            channel.close();
        } catch (IOException e) {
            // every line was already written or counted as failed
        }
    }

    /** Writes the buffered lines to the file and counts their packets as delivered, or as failed with the reason. */
    private void writeOut() {
        if (buffered == 0) {
            return;
        }
        final ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.US_ASCII));
        try {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            bytesWritten += bytes.limit();
            counters.onDelivered(buffered, bufferedBytes);
        } catch (IOException e) {
            final String message = String.valueOf(e.getMessage());
            final SinkFailure reason = message.contains("No space left") || message.contains("Disk quota")
                    ? SinkFailure.NO_SPACE : SinkFailure.IO_ERROR;
            counters.onFailed(reason, buffered, new IOException(file + ": " + message, e));
        } finally {
            lines.setLength(0);
            buffered = 0;
            bufferedBytes = 0;
        }
    }
}
