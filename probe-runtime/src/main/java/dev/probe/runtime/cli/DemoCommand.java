package dev.probe.runtime.cli;

import dev.probe.api.ProbeException;

import java.io.PrintStream;
import java.util.List;

/** probe demo. */
final class DemoCommand {
    private DemoCommand() {
    }

    static int run(final List<String> args, final PrintStream stdout, final PrintStream stderr) throws InterruptedException {
        throw new ProbeException("probe demo is not built yet");
    }
}
