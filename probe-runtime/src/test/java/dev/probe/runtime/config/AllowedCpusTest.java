package dev.probe.runtime.config;

import dev.probe.api.ProbeException;
import dev.probe.runtime.plugin.Plugins;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cores to pin workers to must be cores this process may run on: check rejects what run would fail on. */
class AllowedCpusTest {
    @Test
    void readsTheKernelsListOfAllowedCores(@TempDir final Path dir) throws IOException {
        final Path status = Files.writeString(dir.resolve("status"), "Name:\tjava\nCpus_allowed:\t3f\nCpus_allowed_list:\t0-3,8,10-11\n");
        final BitSet cpus = AllowedCpus.read(status);
        assertEquals("0-3,8,10-11", AllowedCpus.describe(cpus));
        assertTrue(cpus.get(8) && !cpus.get(9) && cpus.get(11) && !cpus.get(12));
        assertNull(AllowedCpus.parse("zero-one"));
        assertNull(AllowedCpus.read(dir.resolve("absent")));
    }

    @Test
    void aCoreThisProcessMayNotRunOnIsRejectedAtValidation() {
        final BitSet allowed = AllowedCpus.read();
        assertNotNull(allowed, "Linux says which cores this process may run on");
        final int outside = allowed.nextClearBit(0);
        final int inside = allowed.nextSetBit(0);
        final ProbeException e = assertThrows(ProbeException.class, () -> RuntimeSettings.from(ConfigLoader.load(null,
                List.of("probe.transmit.cores=[" + inside + ", " + outside + "]"), Plugins.classpath())));
        assertEquals("Invalid value [" + inside + "," + outside + "] for probe.transmit.cores: expected cores this process may "
                + "run on (" + AllowedCpus.describe(allowed) + ", Cpus_allowed_list of /proc/self/status), or an empty list "
                + "(--set probe.transmit.cores)", e.getMessage());
        assertDoesNotThrow(() -> RuntimeSettings.from(ConfigLoader.load(null, List.of("probe.receive.cores=[" + inside + "]"),
                Plugins.classpath())));
    }
}
