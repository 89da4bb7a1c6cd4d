package dev.probe.demo;

import dev.probe.api.ProbeException;
import dev.probe.runtime.cli.ProbeSubcommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code probe demo}: see {@link Demo}. Main thread. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start a Kafka broker, capture generated traffic into it, export it back, check every packet",
                "came back byte-exact, print a summary, clean up. Needs nothing installed but a JDK 25."})
public final class DemoCommand extends ProbeSubcommand.Base {
    @Option(names = "--packets", paramLabel = "N", defaultValue = "200000",
            description = "Packets to generate (default: ${DEFAULT-VALUE}, at most 50000000)")
    long packets;

    @Option(names = "--keep", description = "Keep the capture, the export and summary.json, and say where")
    boolean keep;

    @Override
    public Integer call() throws InterruptedException {
        if (packets < 1 || packets > 50_000_000) {
            throw new ProbeException("Invalid value " + packets + " for --packets: expected an integer from 1 to 50000000");
        }
        return Demo.run((int) packets, keep, out);
    }
}
