package dev.probe.runtime.config;

import dev.probe.api.ProbeException;
import dev.probe.runtime.plugin.Plugins;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Every key under {@code probe} must be one some {@code reference.conf} declares: a misspelt key is an
 * error naming it, where it was written and, when a known key is close, which one was meant.
 */
class StrictConfigurationTest {
    @TempDir
    Path dir;

    private static ProbeException rejected(final String... settings) {
        return assertThrows(ProbeException.class, () -> ConfigLoader.load(null, List.of(settings), Plugins.classpath()));
    }

    @Test
    void aMisspeltSectionSuggestsTheKeyMeant() {
        assertEquals("Unknown setting probe.recieve.burst-size (--set probe.recieve.burst-size): "
                + "did you mean probe.receive.burst-size?", rejected("probe.recieve.burst-size=64").getMessage());
    }

    @Test
    void aMisspeltKeyInAFileNamesTheFileAndLine() throws IOException {
        final Path conf = Files.writeString(dir.resolve("probe.conf"), "probe {\n  stats {\n    intervall = 10s\n  }\n}\n");
        final ProbeException e = assertThrows(ProbeException.class,
                () -> ConfigLoader.load(conf, List.of(), Plugins.classpath()));
        assertEquals("Unknown setting probe.stats.intervall (" + conf + ": 3): did you mean probe.stats.interval?",
                e.getMessage());
    }

    @Test
    void aMisspeltKeyIsCaughtWhateverItsValue() {
        assertEquals("Unknown setting probe.stats.intervall (--set probe.stats.intervall): did you mean probe.stats.interval?",
                rejected("probe.stats.intervall=null").getMessage(), "null, which HOCON's entrySet leaves out");
        assertEquals("Unknown setting probe.stats.intervall (--set probe.stats.intervall): did you mean probe.stats.interval?",
                rejected("probe.stats.intervall={}").getMessage(), "an empty object, which entrySet leaves out");
        assertEquals("Unknown setting probe.stats.intervall (--set probe.stats.intervall): did you mean probe.stats.interval?",
                rejected("probe.stats.intervall=[1, 2]").getMessage());
    }

    @Test
    void aKeyInTheWrongSectionSuggestsTheSectionsThatHaveIt() {
        assertEquals("Unknown setting probe.burst-size (--set probe.burst-size): did you mean "
                + "probe.receive.burst-size or probe.transmit.burst-size?", rejected("probe.burst-size=64").getMessage());
    }

    @Test
    void aKeyLikeNoOtherSaysSo() {
        assertEquals("Unknown setting probe.colour.scheme (--set probe.colour.scheme): no such setting in the probe "
                + "or its plugins (probe check lists every setting)", rejected("probe.colour.scheme=dark").getMessage());
    }

    @Test
    void anObjectWhereASingleValueBelongsNamesTheSetting() {
        assertEquals("Invalid value {unit:\"ms\"} for probe.stats.interval: expected a single value, not an object "
                + "(see probe check for its default) (--set probe.stats.interval)",
                rejected("probe.stats.interval={unit=ms}").getMessage());
    }

    @Test
    void aSingleValueWhereASectionBelongsNamesTheSection() {
        assertEquals("Invalid value 5 for probe.receive: expected an object of settings (see probe check for its keys) "
                + "(--set probe.receive)", rejected("probe.receive=5").getMessage());
    }

    @Test
    void setToNullIsHoconsNullNotTheWordNull() {
        final ProbeException e = assertThrows(ProbeException.class, () -> dev.probe.runtime.config.RuntimeSettings.from(
                ConfigLoader.load(null, List.of("probe.receive.burst-size=null"), Plugins.classpath())));
        assertEquals("Invalid value null for probe.receive.burst-size: expected an integer from 1 to 1024 (--set probe.receive.burst-size)",
                e.getMessage());
        assertEquals("null", ConfigLoader.load(null, List.of("probe.sink.type=\"null\""), Plugins.classpath())
                .getString("probe.sink.type"), "a quoted null is the word");
    }

    @Test
    void keysOutsideProbeAreLeftAlone() {
        assertDoesNotThrow(() -> ConfigLoader.load(null, List.of("akka.loglevel=DEBUG", "probe.receive.burst-size=64"),
                Plugins.classpath()));
    }

    @Test
    void theTestSourcesAndSinksKeysAreKnownFromTheirReferenceConf() {
        assertDoesNotThrow(() -> ConfigLoader.load(null, List.of("probe.source.tracking.packets=5",
                "probe.sink.checked.address=\"x:1\""), Plugins.classpath()));
        assertEquals("Unknown setting probe.source.tracking.packet (--set probe.source.tracking.packet): "
                + "did you mean probe.source.tracking.packets?", rejected("probe.source.tracking.packet=5").getMessage());
    }

    @Test
    void suggestionsAreOnlyOfferedForCloseKeys() {
        final java.util.Set<String> known = java.util.Set.of("probe.receive.burst-size", "probe.stats.interval");
        assertEquals(List.of("probe.receive.burst-size"), UnknownKeys.suggestions("probe.recieve.burst-size", known));
        assertEquals(List.of(), UnknownKeys.suggestions("probe.sink.file.folder", known));
        assertEquals(1, UnknownKeys.distance("interval", "intreval"), "an adjacent swap is one edit");
    }
}
