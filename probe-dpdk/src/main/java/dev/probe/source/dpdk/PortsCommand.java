package dev.probe.source.dpdk;

import dev.probe.runtime.cli.ConfigOptions;
import dev.probe.runtime.cli.ProbeSubcommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code probe ports}: starts the DPDK EAL with {@code probe.source.dpdk.eal-args} and lists every port
 * with its driver, MAC, link, queue limits and RSS capabilities. Main thread.
 */
@Command(name = "ports", mixinStandardHelpOptions = true,
        description = "List DPDK ports (driver, MAC, link, queue limits, RSS) using probe.source.dpdk.eal-args.")
public final class PortsCommand extends ProbeSubcommand.Base {
    @Mixin
    ConfigOptions config;

    @Override
    public Integer call() {
        final var loaded = config.load(err);
        Dpdk.ensureAvailable();
        out.print(DpdkPorts.format(DpdkPorts.list(loaded.config())));
        return 0;
    }
}
