package dev.probe.runtime.cli;

import dev.probe.api.ProbeException;

import java.io.PrintStream;
import java.util.List;

/** probe export. */
final class ExportCommand {
    private ExportCommand() {
    }

    static int run(final List<String> args, final PrintStream stdout, final PrintStream stderr) throws InterruptedException {
        throw new ProbeException("probe export is not built yet");
    }
}
