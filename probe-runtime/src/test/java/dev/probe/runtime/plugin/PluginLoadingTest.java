package dev.probe.runtime.plugin;

import com.typesafe.config.Config;
import dev.probe.runtime.config.ConfigLoader;
import dev.probe.sink.discard.DiscardSinkProvider;
import dev.probe.source.synthetic.SyntheticSourceProvider;
import dev.probe.spi.SinkProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sinks from the plugins folder: found with ServiceLoader in each jar and each sub-folder of jars, each
 * plugin with its own child-first class loader, so that its dependencies never clash with the probe's or
 * with another plugin's; the folder from {@code --plugins} or {@code probe.plugins.dir}; {@code probe check}
 * says where every source and sink came from. The plugin jars are compiled in the test.
 */
class PluginLoadingTest {
    @TempDir
    Path dir;

    private Path countingPlugin(final Path jar, final String name) {
        return PluginJar.create()
                .source("com.acme." + name + ".CountingSinkProvider", PluginSources.countingSink("com.acme." + name, "CountingSinkProvider", name))
                .services(SinkProvider.class, "com.acme." + name + ".CountingSinkProvider")
                .resource("reference.conf", PluginSources.countingReference(name))
                .writeTo(jar);
    }

    @Test
    void aJarInThePluginsFolderProvidesASinkThatARunSendsEveryPacketTo() throws Exception {
        final Path plugins = dir.resolve("plugins");
        countingPlugin(plugins.resolve("counting.jar"), "counting");
        final Path out = dir.resolve("counted.txt");

        final ProbeCli run = ProbeCli.thousandFrames("run", "--plugins", plugins.toString(),
                "--set", "probe.sink.type=counting", "--set", "probe.sink.counting.out=\"" + out + "\"");

        assertEquals(0, run.exit(), run.stderr());
        assertEquals("1000 64000 \n", Files.readString(out), "sent and bytes, as the plugin's sink counted them at close");
        assertTrue(run.stderr().contains("summary total    captured 1,000 = delivered 1,000"), run.stderr());
    }

    @Test
    void checkListsEverySourceAndSinkWithWhereItCameFrom() {
        final Path plugins = dir.resolve("plugins");
        final Path jar = countingPlugin(plugins.resolve("counting.jar"), "counting");

        final ProbeCli check = ProbeCli.thousandFrames("check", "--plugins", plugins.toString(),
                "--set", "probe.sink.type=counting");

        assertEquals(0, check.exit(), check.stderr());
        final List<String> lines = check.stdout().lines().toList();
        assertTrue(lines.contains("# plugins folder: " + plugins), check.stdout());
        assertTrue(lines.contains("# sink counting: " + jar), check.stdout());
        assertTrue(lines.contains("# sink discard: " + Plugins.origin(DiscardSinkProvider.class)), check.stdout());
        assertTrue(lines.contains("# source synthetic: " + Plugins.origin(SyntheticSourceProvider.class)), check.stdout());
        assertTrue(lines.contains("# configuration is valid"), check.stdout());
    }

    @Test
    void probePluginsDirNamesTheFolderAndPluginsOverridesIt() throws Exception {
        final Path plugins = dir.resolve("plugins");
        countingPlugin(plugins.resolve("counting.jar"), "counting");
        final Path out = dir.resolve("counted.txt");
        final List<String> counting = List.of("--set", "probe.sink.type=counting", "--set", "probe.sink.counting.out=\"" + out + "\"");

        final ProbeCli fromSetting = ProbeCli.thousandFrames("run", "--set", "probe.plugins.dir=\"" + plugins + "\"",
                counting.get(0), counting.get(1), counting.get(2), counting.get(3));
        assertEquals(0, fromSetting.exit(), fromSetting.stderr());
        assertEquals("1000 64000 \n", Files.readString(out));

        final Path empty = Files.createDirectories(dir.resolve("empty"));
        final ProbeCli overridden = ProbeCli.thousandFrames("run", "--set", "probe.plugins.dir=\"" + plugins + "\"",
                "--plugins", empty.toString(), "--set", "probe.sink.type=counting");
        overridden.assertUserError("Unknown sink counting for probe.sink.type", "expected one of", "discard", empty.toString());
    }

    @Test
    void aPluginsFolderThatIsNotThereIsOneLineNamingItsOption() {
        final Path none = dir.resolve("none");
        ProbeCli.thousandFrames("run", "--plugins", none.toString(), "--set", "probe.sink.type=discard")
                .assertUserError("Plugins folder " + none + " is not a folder (--plugins)");
        ProbeCli.thousandFrames("run", "--set", "probe.plugins.dir=\"" + none + "\"", "--set", "probe.sink.type=discard")
                .assertUserError("probe.plugins.dir", none.toString());
    }

    @Test
    void aSubFolderOfJarsIsOnePluginWhoseLibraryIsItsOwn() throws Exception {
        final Path folder = dir.resolve("plugins").resolve("acme");
        final Path library = PluginJar.create()
                .source("com.acme.codec.Codec", """
                        package com.acme.codec;
                        public final class Codec {
                            public static String describe() {
                                return "codec 1";
                            }
                        }
                        """)
                .writeTo(folder.resolve("codec-1.0.jar"));
        PluginJar.create()
                .source("com.acme.sink.AcmeSinkProvider", PluginSources.countingSink("com.acme.sink", "AcmeSinkProvider", "acme",
                        "com.acme.codec.Codec.describe()", ""))
                .services(SinkProvider.class, "com.acme.sink.AcmeSinkProvider")
                .resource("reference.conf", PluginSources.countingReference("acme"))
                .compiledAgainst(library)
                .writeTo(folder.resolve("acme-sink.jar"));
        final Path out = dir.resolve("counted.txt");

        final ProbeCli run = ProbeCli.thousandFrames("run", "--plugins", dir.resolve("plugins").toString(),
                "--set", "probe.sink.type=acme", "--set", "probe.sink.acme.out=\"" + out + "\"");

        assertEquals(0, run.exit(), run.stderr());
        assertEquals("1000 64000 codec 1\n", Files.readString(out));
        final Plugins found = Plugins.load(dir.resolve("plugins"));
        assertEquals(folder.toString(), found.sinks().stream().filter(f -> f.name().equals("acme")).findFirst().orElseThrow().origin());
    }

    @Test
    void pluginsBundlingOtherVersionsOfALibraryOfTheProbeEachSeeTheirOwnAndShareTheSpi() throws Exception {
        final Path plugins = dir.resolve("plugins");
        for (final String version : List.of("a", "b")) {
            // picocli is on the probe's own class path; each plugin brings a "picocli" of its own.
            final Path picocli = PluginJar.create().source("picocli.CommandLine", PluginSources.fakePicocli("plugin picocli " + version))
                    .writeTo(plugins.resolve("plugin-" + version).resolve("picocli-0.0.1.jar"));
            PluginJar.create()
                    .source("com.acme." + version + ".VersionSinkProvider", PluginSources.countingSink("com.acme." + version,
                            "VersionSinkProvider", "plugin-" + version, "picocli.CommandLine.pluginVersion()", ""))
                    .services(SinkProvider.class, "com.acme." + version + ".VersionSinkProvider")
                    .resource("reference.conf", PluginSources.countingReference("plugin-" + version))
                    // a fat jar that shaded the SPI in: the probe's copy must still be the one used
                    .resource("dev/probe/spi/SinkProvider.class", PluginJar.classFile(SinkProvider.class))
                    .compiledAgainst(picocli)
                    .writeTo(plugins.resolve("plugin-" + version).resolve("sink.jar"));
        }

        final Plugins found = Plugins.load(plugins);
        assertEquals(List.of(), found.broken());
        final Config config = ConfigLoader.load(null, List.of(), found);
        for (final String version : List.of("a", "b")) {
            final Plugins.Found<SinkProvider> sink = found.sinks().stream().filter(f -> f.name().equals("plugin-" + version))
                    .findFirst().orElseThrow();
            final ClassLoader loader = sink.provider().getClass().getClassLoader();
            assertNotSame(Plugins.class.getClassLoader(), loader);
            assertSame(SinkProvider.class, loader.loadClass(SinkProvider.class.getName()), "the SPI is shared with the probe");
            assertNotSame(picocli.CommandLine.class, loader.loadClass("picocli.CommandLine"), "the plugin's own picocli");
            assertTrue(Plugins.configure(sink, config).description().endsWith("(plugin picocli " + version + ")"));
        }

        // The probe's command line, on the real picocli, runs a plugin that brings its own.
        final Path out = dir.resolve("counted.txt");
        final ProbeCli run = ProbeCli.thousandFrames("run", "--plugins", plugins.toString(),
                "--set", "probe.sink.type=plugin-b", "--set", "probe.sink.plugin-b.out=\"" + out + "\"");
        assertEquals(0, run.exit(), run.stderr());
        assertEquals("1000 64000 plugin picocli b\n", Files.readString(out));
    }
}
