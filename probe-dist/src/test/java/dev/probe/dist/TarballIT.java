package dev.probe.dist;

import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.testkit.SharedCaptures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The release tarball as an operator meets it: unpacked into an empty folder and run with nothing but a
 * Java 25 (no Maven, no source tree, no environment but JAVA_HOME or PATH), through bin/probe, a
 * symbolic link to it, and {@code java -jar}; into a real broker. And what it holds: the runtime, no
 * broker, no Scala, no JMH, no JUnit, every third-party jar with its licence.
 */
class TarballIT {

    /** Only JAVA_HOME: no PATH at all, as from a bare service manager. */
    private static Map<String, String> javaHomeOnly() {
        return Map.of("JAVA_HOME", Release.javaHome().toString());
    }

    private static List<String> probe(final Path launcher, final String... args) {
        final List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void theTarballHoldsTheRuntimeAndItsLicencesAndNothingForTests(@TempDir final Path folder) throws Exception {
        final Path home = Release.unpack(folder);
        final String v = Release.version();
        final List<String> lib;
        try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
            lib = jars.map(p -> p.getFileName().toString()).sorted().toList();
        }
        for (final String module : List.of("probe-" + v, "probe-runtime-" + v, "probe-pcap-" + v, "probe-dpdk-" + v,
                "probe-kafka-" + v, "probe-api-1.0.0")) {
            assertTrue(lib.contains(module + ".jar"), module + ".jar in lib/: " + lib);
        }
        assertTrue(lib.stream().anyMatch(j -> j.startsWith("kafka-clients-")), "the Kafka client");
        assertTrue(lib.stream().anyMatch(j -> j.startsWith("log4j-core-")), "the logging backend");
        assertTrue(lib.stream().anyMatch(j -> j.startsWith("prometheus-metrics-exporter-httpserver-")), "the metrics endpoint");
        final List<String> unwanted = lib.stream().filter(j -> j.startsWith("kafka_2.13") || j.startsWith("kafka-server")
                || j.startsWith("scala-") || j.startsWith("jmh-") || j.startsWith("junit") || j.startsWith("opentest4j")
                || j.startsWith("probe-broker") || j.startsWith("probe-testkit") || j.startsWith("probe-demo")
                || j.startsWith("probe-bench")).toList();
        assertEquals(List.of(), unwanted, "no broker, no Scala, no JMH, no JUnit, no test kit in a release");

        assertTrue(Files.getPosixFilePermissions(home.resolve("bin/probe")).contains(PosixFilePermission.OTHERS_EXECUTE));
        assertTrue(Files.isDirectory(home.resolve("plugins")));
        for (final String file : List.of("config/probe.conf", "config/log4j2.xml", "config/prometheus/probe-alerts.yml",
                "systemd/probe.service", "bin/probe_completion", "plugins/README.md", "NOTICE")) {
            assertTrue(Files.isRegularFile(home.resolve(file)), file);
        }
        assertTrue(Files.readString(home.resolve("LICENSE")).contains("Apache License"), "LICENSE is Apache-2.0");

        // Every third-party jar is listed with its licence, and each licence named has its text.
        final String thirdParty = Files.readString(home.resolve("licenses/THIRD-PARTY.txt"));
        for (final String jar : lib) {
            if (jar.startsWith("probe-")) {
                continue;
            }
            final Matcher name = Pattern.compile("(.+?)-(\\d.*)\\.jar").matcher(jar);
            assertTrue(name.matches(), jar);
            assertTrue(thirdParty.contains(":" + name.group(1) + ":" + name.group(2) + " "), jar + " is listed in licenses/THIRD-PARTY.txt");
        }
        final Matcher licences = Pattern.compile("^\\s+\\(([^)]+)\\)", Pattern.MULTILINE).matcher(thirdParty);
        final Map<String, String> texts = Map.of("Apache-2.0", "Apache-2.0.txt", "MIT", "MIT.txt",
                "BSD 2-Clause License", "BSD-2-Clause.txt", "LGPL-2.1-or-later", "LGPL-2.1.txt");
        while (licences.find()) {
            final String text = texts.get(licences.group(1));
            assertTrue(text != null, "a known licence: " + licences.group(1));
            assertTrue(Files.size(home.resolve("licenses/texts").resolve(text)) > 500, text);
        }

        // The completion script is bash and completes every subcommand, the modules' included.
        final Release.Outcome completion = Release.run(folder, Map.of("PATH", "/usr/bin:/bin"), List.of("bash", "-c",
                "source " + home.resolve("bin/probe_completion") + " && COMP_WORDS=(probe '') && COMP_CWORD=1 "
                        + "&& COMP_LINE='probe ' && COMP_POINT=6 && _complete_probe && echo \"${COMPREPLY[*]}\""));
        assertEquals(0, completion.exit(), completion.toString());
        assertEquals(List.of("check", "demo", "export", "ports", "run"),
                Stream.of(completion.stdout().trim().split("\\s+")).sorted().toList(), completion.toString());
    }

    @Test
    void theUnpackedTarballRunsWithNothingButAJava(@TempDir final Path folder) throws Exception {
        final SharedCaptures.Entry capture = SharedCaptures.entry("afs.pcap");
        final Path home = Release.unpack(folder);
        final Path launcher = home.resolve("bin/probe");
        final String versionLine = "probe " + Release.version() + " (probe-api 1.0.0)";

        final Release.Outcome version = Release.run(folder, javaHomeOnly(), probe(launcher, "--version"));
        assertEquals(new Release.Outcome(0, versionLine + "\n", ""), version);
        final Release.Outcome onPath = Release.run(folder, Map.of("PATH", Release.javaHome().resolve("bin") + ":/usr/bin:/bin"),
                probe(launcher, "--version"));
        assertEquals(new Release.Outcome(0, versionLine + "\n", ""), onPath, "java found on the PATH, without JAVA_HOME");
        final Release.Outcome jar = Release.run(folder, Map.of(), List.of(Release.javaHome().resolve("bin/java").toString(),
                "-jar", home.resolve("lib/probe-" + Release.version() + ".jar").toString(), "--version"));
        assertEquals(new Release.Outcome(0, versionLine + "\n", ""), jar, "java -jar lib/probe-VERSION.jar");
        final Release.Outcome jarCheck = Release.run(folder, Map.of(), List.of(Release.javaHome().resolve("bin/java").toString(),
                "-jar", home.resolve("lib/probe-" + Release.version() + ".jar").toString(), "check",
                "--set", "probe.source.pcap.file=\"" + capture.path() + "\"", "--set", "probe.sink.type=discard"));
        assertEquals(0, jarCheck.exit(), jarCheck.toString());
        assertTrue(jarCheck.stdout().contains("# plugins folder: " + home.resolve("plugins") + "\n"),
                "java -jar finds the plugins folder beside lib/: " + jarCheck.stdout());

        try (EmbeddedKafkaBroker broker = Release.broker()) {
            Release.createTopic(broker, "release", 2);
            // The example configuration with every default setting uncommented is valid as it stands.
            final Path conf = folder.resolve("all-defaults.conf");
            Files.writeString(conf, Files.readString(home.resolve("config/probe.conf"))
                    .replaceAll("(?m)^(\\s*)#(\\S[^=\\n]* = .*)$", "$1$2"));
            assertFalse(Files.readString(conf).equals(Files.readString(home.resolve("config/probe.conf"))));
            final Release.Outcome check = Release.run(folder, javaHomeOnly(), probe(launcher, "check", "-c", conf.toString(),
                    "--set", "probe.source.pcap.file=\"" + capture.path() + "\"",
                    "--set", "probe.sink.kafka.producer.bootstrap.servers=\"" + broker.bootstrapServers() + "\""));
            assertEquals(0, check.exit(), check.toString());
            assertTrue(check.stdout().contains("# configuration is valid"), check.stdout());
            assertTrue(check.stdout().contains("# source pcap: " + home.resolve("lib/probe-pcap-" + Release.version() + ".jar")),
                    "the pcap source from the release's lib/: " + check.stdout());
            assertTrue(check.stdout().contains("# sink kafka: " + home.resolve("lib/probe-kafka-" + Release.version() + ".jar")),
                    check.stdout());
            assertTrue(check.stdout().contains("# plugins folder: " + home.resolve("plugins")), check.stdout());

            // A run through a symbolic link in another folder, as /usr/local/bin/probe would be.
            final Path bin = Files.createDirectories(folder.resolve("usr/local/bin"));
            final Path link = Files.createSymbolicLink(bin.resolve("probe"), launcher);
            final Path summary = folder.resolve("summary.json");
            final Release.Outcome run = Release.run(folder, javaHomeOnly(), probe(link, "run", "-r", capture.path().toString(),
                    "-b", broker.bootstrapServers(), "--topic", "release", "--summary", summary.toString()));
            assertEquals(0, run.exit(), run.toString());
            assertEquals(capture.packets(), Release.records(broker, "release"), "every packet of the capture is a record");
            final String total = String.format(java.util.Locale.ROOT, " summary total    captured %,d = delivered %,d + dropped 0 "
                    + "+ in-flight 0", capture.packets(), capture.packets());
            assertTrue(run.stderrLines().stream().anyMatch(l -> l.endsWith(total)
                    && l.substring(0, l.length() - total.length()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z")),
                    "the summary, with its timestamp: " + run.stderr());
            assertTrue(run.stderrLines().stream().noneMatch(l -> l.startsWith("WARNING") || l.contains("StatusLogger")),
                    "no JVM warning, no logging set-up error: " + run.stderr());
            final String json = Files.readString(summary);
            assertTrue(json.contains("\"captured\": " + capture.packets() + ","), json);
            assertTrue(json.contains("\"delivered\": " + capture.packets() + ","), json);
            assertTrue(json.contains("\"outcome\": \"end-of-input\""), json);
        }
    }

    @Test
    void theLauncherSetsAHeapLimitAndPassesProbeOptsAndProbeHeapOpts(@TempDir final Path folder) throws Exception {
        final Path launcher = Release.unpack(folder).resolve("bin/probe");
        final Map<String, String> logHeap = Map.of("JAVA_HOME", Release.javaHome().toString(), "PROBE_OPTS", "-Xlog:gc+init");
        final Release.Outcome byDefault = Release.run(folder, logHeap, probe(launcher, "--version"));
        assertEquals(0, byDefault.exit(), byDefault.toString());
        assertTrue(byDefault.stdout().contains("Heap Max Capacity: 1G"), byDefault.stdout());
        final Map<String, String> smaller = Map.of("JAVA_HOME", Release.javaHome().toString(), "PROBE_OPTS", "-Xlog:gc+init",
                "PROBE_HEAP_OPTS", "-Xmx300m");
        final Release.Outcome set = Release.run(folder, smaller, probe(launcher, "--version"));
        assertEquals(0, set.exit(), set.toString());
        assertTrue(set.stdout().contains("Heap Max Capacity: 300M"), set.stdout());
    }

    @Test
    void whatIsMissingIsNamedInOneLineWithStatus2(@TempDir final Path folder) throws Exception {
        final Path launcher = Release.unpack(folder).resolve("bin/probe");

        // A Java older than 25, and none newer.
        final Path oldJava = Files.createDirectories(folder.resolve("jdk-17/bin"));
        Files.writeString(oldJava.resolve("java"), "#!/bin/sh\necho 'java 17 should not have been started' >&2\nexit 99\n");
        oldJava.resolve("java").toFile().setExecutable(true);
        Files.writeString(folder.resolve("jdk-17/release"), "JAVA_VERSION=\"17.0.12\"\n");
        // A PATH with the tools the launcher uses, and no java.
        final Path tools = Files.createDirectories(folder.resolve("tools"));
        for (final String tool : List.of("env", "bash", "readlink", "dirname", "sed")) {
            Files.copy(Path.of("/usr/bin", tool), tools.resolve(tool), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
        final Release.Outcome old = Release.run(folder, Map.of("JAVA_HOME", folder.resolve("jdk-17").toString(),
                "PATH", tools.toString()), probe(launcher, "--version"));
        assertEquals(2, old.exit(), old.toString());
        assertEquals(List.of("probe: needs Java 25 (" + oldJava.resolve("java") + " is Java 17): install one, such as "
                + "Temurin 25 (temurin-25-jre), and set JAVA_HOME to it"), old.stderrLines());

        // libpcap that cannot be loaded.
        final Release.Outcome pcap = Release.run(folder, Map.of("JAVA_HOME", Release.javaHome().toString(),
                "PROBE_OPTS", "-Dorg.pcap4j.core.pcapLibName=/nonexistent/libpcap.so.0.8"),
                probe(launcher, "run", "-i", "lo", "--set", "probe.sink.type=discard"));
        assertEquals(2, pcap.exit(), pcap.toString());
        assertEquals(1, pcap.stderrLines().size(), pcap.stderr());
        assertTrue(pcap.stderr().contains("libpcap0.8"), "names the Debian package: " + pcap.stderr());
    }
}
