package dev.probe.runtime.plugin;

import dev.probe.spi.SinkProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A broken plugin is a user's error: one line naming the jar and what is wrong, exit status 2, never an
 * internal error or a stack trace; and it stops only a run that needs it. The broken jars are built in the
 * test.
 */
class BrokenPluginTest {
    @TempDir
    Path dir;

    private Path plugins() throws Exception {
        return Files.createDirectories(dir.resolve("plugins"));
    }

    /** A counting sink named {@code name} whose provider class also runs {@code configureFirst} and has {@code members}. */
    private static PluginJar sink(final String name, final String configureFirst, final String members) {
        final String source = PluginSources.countingSink("com.acme", "AcmeSinkProvider", name, "\"\"", configureFirst)
                .replace("public final class AcmeSinkProvider implements SinkProvider {",
                        "public final class AcmeSinkProvider implements SinkProvider {\n" + members);
        return PluginJar.create()
                .source("com.acme.AcmeSinkProvider", source)
                .services(SinkProvider.class, "com.acme.AcmeSinkProvider")
                .resource("reference.conf", PluginSources.countingReference(name));
    }

    private static final String HELPER = """
            package com.acme;
            public final class Helper {
                public static void check() {
                }
            }
            """;

    @Test
    void aServicesEntryNamingAClassThePluginLacksIsOneLineNamingTheJar() throws Exception {
        final Path jar = sink("acme", "", "").services(SinkProvider.class, "com.acme.AcmeSinkProvidr")
                .writeTo(plugins().resolve("acme.jar"));

        ProbeCli.thousandFrames("run", "--plugins", plugins().toString(), "--set", "probe.sink.type=acme")
                .assertUserError("Unknown sink acme for probe.sink.type", "plugin " + jar + ": META-INF/services/dev.probe.spi.SinkProvider"
                        + " names com.acme.AcmeSinkProvidr, a class the plugin does not contain");
    }

    @Test
    void aClassMissingFromThePluginWhenItsProviderIsCreatedIsOneLineNamingTheJarAndTheClass() throws Exception {
        final Path jar = sink("acme", "", "private final Runnable helper = Helper::check;")
                .source("com.acme.Helper", HELPER).leavingOut("com.acme.Helper")
                .writeTo(plugins().resolve("acme.jar"));

        ProbeCli.thousandFrames("run", "--plugins", plugins().toString(), "--set", "probe.sink.type=acme")
                .assertUserError("plugin " + jar + ": SinkProvider com.acme.AcmeSinkProvider could not be created: class"
                        + " com.acme.Helper is in neither the plugin nor the probe (NoClassDefFoundError)");
    }

    @Test
    void aClassMissingFromThePluginWhenItReadsItsSettingsIsOneLineNamingTheJarAndTheClass() throws Exception {
        final Path jar = sink("acme", "Helper.check();", "")
                .source("com.acme.Helper", HELPER).leavingOut("com.acme.Helper")
                .writeTo(plugins().resolve("acme.jar"));

        ProbeCli.thousandFrames("run", "--plugins", plugins().toString(), "--set", "probe.sink.type=acme")
                .assertUserError("plugin " + jar + ": sink acme failed to read its settings: class com.acme.Helper is in"
                        + " neither the plugin nor the probe (NoClassDefFoundError)");
    }

    @Test
    void aProviderWhoseConstructorThrowsIsOneLineWithItsMessage() throws Exception {
        final Path jar = sink("acme", "", """
                public AcmeSinkProvider() {
                    throw new IllegalStateException("licence file /etc/acme.lic is missing");
                }
                """).writeTo(plugins().resolve("acme.jar"));

        // Its settings are no "unknown setting": the run fails on the plugin, not on them.
        ProbeCli.thousandFrames("run", "--plugins", plugins().toString(), "--set", "probe.sink.type=acme",
                        "--set", "probe.sink.acme.out=counted.txt")
                .assertUserError("plugin " + jar + ": SinkProvider com.acme.AcmeSinkProvider could not be created:"
                        + " IllegalStateException: licence file /etc/acme.lic is missing");
    }

    @Test
    void aConfigExceptionInAProvidersConfigureIsOneLineNamingThePath() throws Exception {
        sink("strict", "config.getInt(\"probe.sink.strict.size\");", "")
                .resource("reference.conf", PluginSources.countingReference("strict") + """
                        probe.sink.strict {
                          # Packets per file.
                          size = 10
                        }
                        """)
                .writeTo(plugins().resolve("strict.jar"));

        final ProbeCli run = ProbeCli.thousandFrames("run", "--plugins", plugins().toString(), "--set", "probe.sink.type=strict",
                "--set", "probe.sink.strict.size=big");

        run.assertUserError("sink strict: ", "probe.sink.strict.size", "STRING rather than NUMBER");
        assertEquals(1, run.errorLines().size(), run.stderr());
    }

    @Test
    void brokenPluginsDoNotStopARunThatDoesNotNeedThemAndEachIsOneWarningLine() throws Exception {
        final Path plugins = plugins();
        final Path notAJar = PluginJar.notAJar(plugins.resolve("notes.jar"), "not a zip file");
        final Path badEntry = sink("acme", "", "").services(SinkProvider.class, "com.acme.Nope").writeTo(plugins.resolve("bad-entry.jar"));
        final Path badReference = sink("other", "", "").resource("reference.conf", "probe.sink.other { out = ")
                .writeTo(plugins.resolve("bad-reference.jar"));
        final Path nothing = PluginJar.create().source("com.acme.util.Util", "package com.acme.util; public class Util { }")
                .writeTo(plugins.resolve("util.jar"));
        final Path clash = PluginJar.create()
                .source("com.acme.d.DiscardSinkProvider", PluginSources.countingSink("com.acme.d", "DiscardSinkProvider", "discard"))
                .services(SinkProvider.class, "com.acme.d.DiscardSinkProvider")
                .writeTo(plugins.resolve("discard-too.jar"));

        final ProbeCli run = ProbeCli.thousandFrames("run", "--plugins", plugins.toString(), "--set", "probe.sink.type=discard");

        assertEquals(0, run.exit(), run.stderr());
        assertFalse(run.stderr().contains("internal error"), run.stderr());
        final List<String> warnings = run.errorLines().stream().filter(l -> l.startsWith("probe: warning: ")).toList();
        assertEquals(List.of(
                "probe: warning: plugin " + badEntry + ": META-INF/services/dev.probe.spi.SinkProvider names com.acme.Nope, a class the plugin does not contain",
                "probe: warning: plugin " + badReference + ": its reference.conf cannot be read: ",
                "probe: warning: plugin " + clash + ": SinkProvider com.acme.d.DiscardSinkProvider is named discard, a name another provider already has; it is ignored",
                "probe: warning: plugin " + notAJar + ": not a readable jar (",
                "probe: warning: plugin " + nothing + ": provides no source or sink: it has no META-INF/services/dev.probe.spi.SinkProvider or"
                        + " META-INF/services/dev.probe.spi.CaptureSourceProvider entry (a library a plugin needs goes in a sub-folder with the plugin's jar)"),
                warnings.stream().map(w -> w.contains("reference.conf cannot be read: ") ? w.substring(0, w.indexOf("read: ") + 6)
                        : w.contains("not a readable jar (") ? w.substring(0, w.indexOf("jar (") + 5) : w).toList());
        assertTrue(run.stderr().contains("summary total    captured 1,000 = delivered 1,000"), run.stderr());

        final ProbeCli check = ProbeCli.thousandFrames("check", "--plugins", plugins.toString(), "--set", "probe.sink.type=discard");
        assertEquals(0, check.exit(), check.stderr());
        assertEquals(5, check.stdout().lines().filter(l -> l.startsWith("# broken plugin ")).count(), check.stdout());
    }
}
