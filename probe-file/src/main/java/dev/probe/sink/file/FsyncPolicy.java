package dev.probe.sink.file;

/** When the file sink forces what it wrote to the disk ({@code probe.sink.file.fsync}). */
enum FsyncPolicy {
    /** Never: the operating system writes back in its own time; a power cut can lose recent packets. */
    NEVER,
    /** When a file is complete: before it is renamed, so that a complete name means data on the disk. */
    ROTATE,
    /** Every {@code fsync-interval} while a file is written, and when it is complete. */
    INTERVAL
}
