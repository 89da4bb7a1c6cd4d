package dev.probe.runtime.testsinks;

import dev.probe.spi.Sink;
import dev.probe.spi.SinkCounters;

import java.time.Duration;

/** The parts every test sink shares: its counters, an instant flush, nothing to close. */
abstract class TestSink implements Sink {
    final SinkCounters counters = new SinkCounters();

    @Override
    public boolean flush(final Duration timeout) {
        return true;
    }

    @Override
    public SinkCounters counters() {
        return counters;
    }

    @Override
    public void close() {
    }
}
