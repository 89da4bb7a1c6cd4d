package dev.probe.runtime.cli;

import com.typesafe.config.Config;
import dev.probe.runtime.config.ConfigLoader;
import dev.probe.source.dpdk.Dpdk;
import dev.probe.source.dpdk.DpdkPorts;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * {@code probe ports}: starts the DPDK EAL with {@code probe.source.dpdk.eal-args} and lists every port
 * with its driver, MAC, link, queue limits and RSS capabilities.
 */
final class PortsCommand {
    private PortsCommand() {
    }

    static int run(final List<String> args, final PrintStream stdout) {
        final Arguments a = Arguments.parse("ports", args, Set.of());
        final Config config = ConfigLoader.load(a.configFile(), a.overrides());
        Dpdk.ensureAvailable();
        stdout.print(DpdkPorts.format(DpdkPorts.list(config)));
        return 0;
    }
}
