package dev.probe.sink.kafka.export;

/**
 * Hears how far an export has come, for a progress line. Called on the exporting thread, after each
 * batch of records; implementations decide how often to show it.
 */
public interface ExportProgress {
    /** No progress shown. */
    ExportProgress NONE = new ExportProgress() {
        @Override
        public void update(final long read, final long toRead, final long written) {
        }

        @Override
        public void done() {
        }
    };

    /**
     * @param read records read so far
     * @param toRead records between the start and end offsets when the export started (an upper bound:
     *        compacted or deleted records are never read), or -1 when following new records
     * @param written packets written or, when sorting, accepted for writing
     */
    void update(long read, long toRead, long written);

    /** The export finished reading (or failed): clears what {@link #update} showed. */
    void done();
}
