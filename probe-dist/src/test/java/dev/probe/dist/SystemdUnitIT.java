package dev.probe.dist;

import com.typesafe.config.ConfigFactory;
import dev.probe.testkit.NativeRequirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The release's systemd unit: {@code systemd-analyze verify} finds nothing to say about it (pointed at the
 * release's real launcher), and it runs the probe as its own user with only the capture capabilities,
 * reads /etc/probe/probe.conf, stops with SIGTERM with more time than the probe's drain, and restarts on
 * failure.
 */
class SystemdUnitIT {
    private static final String INSTALLED_LAUNCHER = "/opt/probe/bin/probe";

    @Test
    void systemdAnalyzeVerifyReportsNothing(@TempDir final Path folder) throws Exception {
        NativeRequirement.require(Files.isExecutable(Path.of("/usr/bin/systemd-analyze")),
                "systemd-analyze is not installed (Debian package systemd)");
        final Path release = Release.directory();
        final String unit = Files.readString(release.resolve("systemd/probe.service"));
        assertTrue(unit.contains("ExecStart=" + INSTALLED_LAUNCHER + " "), "the unit runs the installed launcher");
        // The same unit, with the launcher where this build put it: verify checks that it is executable.
        final Path copy = folder.resolve("probe.service");
        Files.writeString(copy, unit.replace("ExecStart=" + INSTALLED_LAUNCHER + " ",
                "ExecStart=" + release.resolve("bin/probe").toRealPath() + " "));
        final Release.Outcome verify = Release.run(folder, Map.of("PATH", "/usr/bin:/bin"),
                List.of("systemd-analyze", "verify", copy.toString()));
        assertEquals(new Release.Outcome(0, "", ""), verify, "systemd-analyze verify has nothing to say");
    }

    @Test
    void theUnitRunsAsItsOwnUserWithOnlyTheCaptureCapabilitiesAndStopsCleanly() throws Exception {
        final Map<String, String> service = section(Files.readString(Release.directory().resolve("systemd/probe.service")), "Service");
        assertEquals("probe", service.get("User"));
        assertEquals(INSTALLED_LAUNCHER + " run -c /etc/probe/probe.conf", service.get("ExecStart"));
        assertEquals("CAP_NET_RAW CAP_NET_ADMIN", service.get("AmbientCapabilities"));
        assertEquals("CAP_NET_RAW CAP_NET_ADMIN", service.get("CapabilityBoundingSet"));
        assertEquals("yes", service.get("NoNewPrivileges"));
        assertEquals("on-failure", service.get("Restart"));
        assertEquals("SIGTERM", service.get("KillSignal"));
        final Duration stop = Duration.ofSeconds(Long.parseLong(service.get("TimeoutStopSec").replaceAll("s$", "")));
        final Duration drain = ConfigFactory.defaultReference().getDuration("probe.shutdown.timeout");
        assertTrue(stop.compareTo(drain) > 0, "TimeoutStopSec " + stop + " above probe.shutdown.timeout " + drain);
    }

    /** The last value of each key of {@code [name]}, comments and continuation-free. */
    private static Map<String, String> section(final String unit, final String name) {
        final Map<String, String> keys = new LinkedHashMap<>();
        boolean inside = false;
        for (final String raw : unit.split("\n")) {
            final String line = raw.strip();
            if (line.startsWith("[")) {
                inside = line.equals("[" + name + "]");
            } else if (inside && !line.isEmpty() && !line.startsWith("#") && line.contains("=")) {
                keys.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        return keys;
    }
}
