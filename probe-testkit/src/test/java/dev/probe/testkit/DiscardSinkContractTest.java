package dev.probe.testkit;

import dev.probe.sink.discard.DiscardSinkProvider;
import dev.probe.spi.SinkProvider;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The discard sink keeps the sink contract, over the kit's own capture and every shared capture. */
class DiscardSinkContractTest extends SinkContractTest {

    @Override
    protected SinkProvider provider() {
        return new DiscardSinkProvider();
    }

    @Override
    protected Destination destination(final Path folder) {
        return Destination.keepingNothing(Map.of());
    }

    @Override
    protected Destination failingDestination(final Path folder) {
        return Destination.none();
    }

    @Override
    protected List<Path> captures(final Path folder) {
        final List<Path> captures = new ArrayList<>(super.captures(folder));
        SharedCaptures.require().forEach(entry -> captures.add(entry.path()));
        return captures;
    }
}
