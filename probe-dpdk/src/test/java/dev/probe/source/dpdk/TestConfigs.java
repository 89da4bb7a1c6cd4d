package dev.probe.source.dpdk;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.probe.testkit.NativeRequirement;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Configurations for tests: the module's reference.conf with overrides, and DPDK's presence. */
final class TestConfigs {
    private TestConfigs() {
    }

    /** Skips (or under CI fails) the test when the DPDK libraries do not load. */
    static void requireDpdk() {
        NativeRequirement.require(Dpdk.isAvailable(), "DPDK 22.11 is not available: " + Dpdk.unavailabilityCause());
    }

    /** EAL arguments without hugepages or PCI, with {@code prefix} and one {@code --vdev} per entry. */
    static List<String> ealArgs(final String prefix, final List<String> vdevs) {
        final List<String> args = new ArrayList<>(List.of("--no-huge", "-m", "1024", "--no-pci", "--no-telemetry",
                "--file-prefix", prefix, "--log-level", "*:warning"));
        for (final String vdev : vdevs) {
            args.add("--vdev");
            args.add(vdev);
        }
        return List.copyOf(args);
    }

    /** {@code probe.source.dpdk} from reference.conf, with {@code eal-args} and relative overrides. */
    static Config config(final List<String> ealArgs, final Map<String, Object> overrides) {
        Config config = ConfigFactory.empty()
                .withValue(DpdkSettings.PREFIX + "eal-args", ConfigValueFactory.fromIterable(ealArgs));
        for (final Map.Entry<String, Object> e : overrides.entrySet()) {
            config = config.withValue(DpdkSettings.PREFIX + e.getKey(), ConfigValueFactory.fromAnyRef(e.getValue()));
        }
        return config.withFallback(reference()).resolve();
    }

    /**
     * This module's own reference.conf, without the runtime's: a DPDK source opened directly, outside a
     * pipeline, has no transmit rings or workers to size its pool for.
     */
    static Config reference() {
        try {
            final Path classes = Path.of(DpdkSettings.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return ConfigFactory.parseFile(classes.resolve("reference.conf").toFile()).resolve();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
