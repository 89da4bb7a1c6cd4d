package dev.probe.runtime.cli;

import dev.probe.api.ProbeException;

import java.io.PrintStream;
import java.util.List;

/** probe ports. */
final class PortsCommand {
    private PortsCommand() {
    }

    static int run(final List<String> args, final PrintStream stdout) throws InterruptedException {
        throw new ProbeException("probe ports is not built yet");
    }
}
