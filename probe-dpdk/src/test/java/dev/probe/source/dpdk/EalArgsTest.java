package dev.probe.source.dpdk;

import dev.probe.source.dpdk.internal.EalArgs;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What eal-args will make the EAL do, read without starting it; no DPDK. */
class EalArgsTest {
    /** A machine with CPUs 0 and 1. */
    private static final BitSet TWO = cpus(0, 1);

    @Test
    void vdevsAreFoundInBothFormsWithTheirFilesInQueueOrder() {
        final List<String> args = List.of("--no-huge", "--file-prefix", "--vdev", "--vdev",
                "net_pcap0,rx_pcap=/a.pcap,rx_pcap=/b.pcap", "--vdev=net_af_packet1,iface=eth0,qpairs=4",
                "--", "--vdev", "net_null9");
        // "--file-prefix --vdev" is a prefix named "--vdev", not a vdev
        final List<EalArgs.Vdev> vdevs = EalArgs.vdevs(args);
        assertEquals(List.of("net_pcap0", "net_af_packet1"), vdevs.stream().map(EalArgs.Vdev::name).toList());
        final EalArgs.Vdev pcap = EalArgs.vdev(args, "net_pcap0");
        assertEquals(List.of(Path.of("/a.pcap"), Path.of("/b.pcap")), pcap.rxPcapFiles());
        assertEquals(2, pcap.maxRxQueues());
        assertFalse(pcap.infiniteRx());
        assertEquals(4, EalArgs.vdev(args, "net_af_packet1").maxRxQueues());
        assertFalse(EalArgs.vdev(args, "net_af_packet1").readsFiles(), "af_packet has no rx_pcap");
        assertNull(EalArgs.vdev(args, "net_null9"), "after -- the EAL reads nothing");
    }

    @Test
    void infiniteRxCountsOnlyGivenOnceAndPositiveAsNetPcapDoes() {
        assertTrue(vdev("net_pcap0,rx_pcap=/a.pcap,infinite_rx=1").infiniteRx());
        assertTrue(vdev("eth_pcap0,rx_pcap=/a.pcap,infinite_rx=7x").infiniteRx(), "atoi reads 7");
        assertFalse(vdev("net_pcap0,rx_pcap=/a.pcap,infinite_rx=0").infiniteRx());
        assertFalse(vdev("net_pcap0,rx_pcap=/a.pcap,infinite_rx=yes").infiniteRx(), "atoi reads 0");
        assertFalse(vdev("net_pcap0,rx_pcap=/a.pcap,infinite_rx=1,infinite_rx=1").infiniteRx(),
                "net_pcap ignores infinite_rx given twice");
    }

    @Test
    void aNetPcapGivenIfaceReadsTheInterfaceNotItsFiles() {
        final EalArgs.Vdev v = vdev("net_pcap0,iface=eth0,rx_pcap=/a.pcap");
        assertFalse(v.readsFiles());
        assertEquals(1, v.maxRxQueues());
        assertEquals(2, vdev("net_pcap0,rx_iface=eth0,rx_iface_in=eth1").maxRxQueues());
        assertEquals(-1, vdev("net_null0").maxRxQueues(), "unknown from the arguments");
    }

    @Test
    void coresThisMachineHasPass() {
        for (final List<String> args : List.<List<String>>of(List.of("-l", "0-1"), List.of("-l0"), List.of("-l", "1-0"),
                List.of("-c", "0x3"), List.of("-c3"), List.of("--lcores", "0,1"), List.of("--lcores=(0-7)@(0,1)"),
                List.of("--lcores", "5@1,(6,7)@0", "--main-lcore", "6"), List.of("-l", "0,1", "--main-lcore=1"),
                List.of("--lcores", "0", "app-argument", "-l", "1"),
                List.of("--file-prefix", "-l", "--no-pci"), List.of())) {
            assertNull(EalArgs.problem(args, TWO), args.toString());
        }
    }

    @Test
    void coresThisMachineDoesNotHaveAreNamed() {
        assertEquals("-l to name cores this machine has (online CPUs 0-1), not core 2",
                EalArgs.problem(List.of("-l", "0-3"), TWO));
        assertEquals("-l to name cores this machine has (online CPUs 0-1), not core 5",
                EalArgs.problem(List.of("--no-pci", "-l5"), TWO));
        assertEquals("-c to name cores this machine has (online CPUs 0-1), not core 2 (mask 0x4)",
                EalArgs.problem(List.of("-c", "0x4"), TWO));
        assertEquals("--lcores to map lcores below 128 to cores this machine has (online CPUs 0-1), such as 0-1"
                + " or (0,1)@0, not 0@5: 0@5 names core 5", EalArgs.problem(List.of("--lcores=0@5"), TWO));
        assertEquals("--main-lcore to be one of the lcores enabled (0), not 1",
                EalArgs.problem(List.of("-l", "0", "--main-lcore", "1"), TWO));
        assertEquals("--main-lcore to be one of the lcores enabled (0-1), not 3",
                EalArgs.problem(List.of("--main-lcore", "3"), TWO));
    }

    @Test
    void malformedCoreListsAreErrorsNotZero() {
        assertEquals("-l to be a core list such as 0-3,5, not 1.5", EalArgs.problem(List.of("-l", "1.5"), TWO));
        assertEquals("-l to be a core list such as 0-3,5, not -1", EalArgs.problem(List.of("-l", "-1"), TWO));
        assertEquals("-l to be a core list such as 0-3,5, not 128", EalArgs.problem(List.of("-l", "128"), TWO));
        assertEquals("-l to be a core list such as 0-3,5, not 99999999999999999999",
                EalArgs.problem(List.of("-l", "99999999999999999999"), TWO));
        assertEquals("-l to be followed by a value", EalArgs.problem(List.of("-l"), TWO));
        assertEquals("-c to be a hexadecimal core mask such as 0x3, not 0xz",
                EalArgs.problem(List.of("-c", "0xz"), TWO));
        assertEquals("-c to be a hexadecimal core mask such as 0x3, not 0",
                EalArgs.problem(List.of("-c", "0"), TWO));
        assertTrue(EalArgs.problem(List.of("--lcores", "(0,1"), TWO).endsWith("unbalanced parentheses"));
        assertEquals("--main-lcore to be an lcore id below 128, not 1.5",
                EalArgs.problem(List.of("--main-lcore", "1.5"), TWO));
    }

    @Test
    void optionsAreReadAsGetoptLongReadsThem() {
        final EalArgs.Options o = EalArgs.options(List.of("-vl0-1", "--file", "p", "app-arg", "--huge-unlink",
                "--in-memory", "--log-level=*:debug", "--", "-x"));
        assertNull(o.problem());
        assertEquals(List.of(new EalArgs.Option("-v", null), new EalArgs.Option("-l", "0-1"),
                new EalArgs.Option("--file-prefix", "p"), new EalArgs.Option("--huge-unlink", null),
                new EalArgs.Option("--in-memory", null), new EalArgs.Option("--log-level", "*:debug")), o.options());
    }

    @Test
    void optionsTheEalDoesNotKnowOrMissingTheirValueAreErrors() {
        assertEquals("options the EAL knows, not -1", EalArgs.problem(List.of("-1"), TWO));
        assertEquals("options the EAL knows, not -x (in -vx)", EalArgs.problem(List.of("-vx"), TWO));
        assertEquals("options the EAL knows, not --bogus", EalArgs.problem(List.of("--bogus=1"), TWO));
        assertEquals("options the EAL knows, not --master-lcore", EalArgs.problem(List.of("--master-lcore", "0"), TWO),
                "gone in DPDK 22.11");
        assertEquals("options the EAL knows, not --huge (ambiguous: --huge-dir, --huge-unlink, --huge-worker-stack)",
                EalArgs.problem(List.of("--huge"), TWO));
        assertEquals("--no-pci without a value, not --no-pci=1", EalArgs.problem(List.of("--no-pci=1"), TWO));
        assertEquals("--vdev to be followed by a value", EalArgs.problem(List.of("--no-pci", "--vdev"), TWO));
        assertEquals("-m to be followed by a value", EalArgs.problem(List.of("-m"), TWO));
    }

    @Test
    void theOnlineCpusIncludeEveryProcessorTheJvmSees() {
        final BitSet online = EalArgs.onlineCpus();
        assertTrue(online.cardinality() >= Runtime.getRuntime().availableProcessors(), EalArgs.format(online));
        assertEquals("0-3,5,7-8", EalArgs.format(cpus(0, 1, 2, 3, 5, 7, 8)));
    }

    private static EalArgs.Vdev vdev(final String spec) {
        return EalArgs.vdev(List.of("--vdev", spec), spec.substring(0, spec.indexOf(',') < 0 ? spec.length()
                : spec.indexOf(',')));
    }

    private static BitSet cpus(final int... ids) {
        final BitSet set = new BitSet();
        for (final int id : ids) {
            set.set(id);
        }
        return set;
    }
}
