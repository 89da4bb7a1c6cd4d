package dev.probe.source.dpdk;

import dev.probe.source.dpdk.internal.DpdkLayout;
import dev.probe.testkit.NativeRequirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiles {@code dpdk_layout.c} with gcc against the installed DPDK headers, runs it, and checks that
 * every size, offset and constant it prints equals the one the Java bindings use.
 */
class StructLayoutTest {

    /** C name printed by the program, to the Java constant it must equal. */
    private static final Map<String, Long> EXPECTED = new LinkedHashMap<>();

    static {
        EXPECTED.put("rte_eth_link.link_status_word_with_status_up", (long) DpdkLayout.LINK_FLAG_STATUS_UP);
        EXPECTED.put("rte_eth_link.link_status_word_with_duplex_full", (long) DpdkLayout.LINK_FLAG_DUPLEX_FULL);
        EXPECTED.put("sizeof_rte_mbuf", DpdkLayout.MBUF_SIZE);
        EXPECTED.put("rte_mbuf.buf_addr", DpdkLayout.MBUF_BUF_ADDR);
        EXPECTED.put("rte_mbuf.data_off", DpdkLayout.MBUF_DATA_OFF);
        EXPECTED.put("rte_mbuf.nb_segs", DpdkLayout.MBUF_NB_SEGS);
        EXPECTED.put("rte_mbuf.ol_flags", DpdkLayout.MBUF_OL_FLAGS);
        EXPECTED.put("rte_mbuf.pkt_len", DpdkLayout.MBUF_PKT_LEN);
        EXPECTED.put("rte_mbuf.data_len", DpdkLayout.MBUF_DATA_LEN);
        EXPECTED.put("rte_mbuf.next", DpdkLayout.MBUF_NEXT);
        EXPECTED.put("rte_mbuf.pool", DpdkLayout.MBUF_POOL);
        EXPECTED.put("sizeof_rte_mempool", DpdkLayout.MEMPOOL_SIZE);
        EXPECTED.put("rte_mempool.cache_size", DpdkLayout.MEMPOOL_CACHE_SIZE);
        EXPECTED.put("rte_mempool.ops_index", DpdkLayout.MEMPOOL_OPS_INDEX);
        EXPECTED.put("rte_mempool.local_cache", DpdkLayout.MEMPOOL_LOCAL_CACHE);
        EXPECTED.put("sizeof_rte_mempool_cache", DpdkLayout.MEMPOOL_CACHE_STRUCT_SIZE);
        EXPECTED.put("rte_mempool_cache.flushthresh", DpdkLayout.MEMPOOL_CACHE_FLUSHTHRESH);
        EXPECTED.put("rte_mempool_cache.len", DpdkLayout.MEMPOOL_CACHE_LEN);
        EXPECTED.put("rte_mempool_cache.objs", DpdkLayout.MEMPOOL_CACHE_OBJS);
        EXPECTED.put("sizeof_rte_mempool_cache.len", 4L);
        EXPECTED.put("sizeof_rte_mempool_ops", DpdkLayout.MEMPOOL_OPS_SIZE);
        EXPECTED.put("rte_mempool_ops.enqueue", DpdkLayout.MEMPOOL_OPS_ENQUEUE);
        EXPECTED.put("rte_mempool_ops_table.ops", DpdkLayout.MEMPOOL_OPS_TABLE_OPS);
        EXPECTED.put("RTE_MAX_LCORE", (long) DpdkLayout.MAX_LCORE);
        EXPECTED.put("LCORE_ID_ANY", DpdkLayout.LCORE_ID_ANY & 0xFFFF_FFFFL);
        EXPECTED.put("RTE_MEMPOOL_MAX_OPS_IDX", (long) DpdkLayout.MEMPOOL_MAX_OPS_IDX);
        EXPECTED.put("RTE_MEMPOOL_CACHE_MAX_SIZE", (long) DpdkLayout.MEMPOOL_CACHE_MAX_SIZE);
        // MbufMemory puts mbufs into a mempool cache itself, which skips the debug build's cookie checks
        EXPECTED.put("RTE_LIBRTE_MEMPOOL_DEBUG", 0L);
        EXPECTED.put("sizeof_rte_mbuf.pkt_len", 4L);
        EXPECTED.put("sizeof_rte_mbuf.data_len", 2L);
        EXPECTED.put("sizeof_rte_eth_dev_info", DpdkLayout.DEV_INFO_SIZE);
        EXPECTED.put("rte_eth_dev_info.driver_name", DpdkLayout.DEV_INFO_DRIVER_NAME);
        EXPECTED.put("rte_eth_dev_info.min_mtu", DpdkLayout.DEV_INFO_MIN_MTU);
        EXPECTED.put("rte_eth_dev_info.max_mtu", DpdkLayout.DEV_INFO_MAX_MTU);
        EXPECTED.put("rte_eth_dev_info.max_rx_pktlen", DpdkLayout.DEV_INFO_MAX_RX_PKTLEN);
        EXPECTED.put("rte_eth_dev_info.max_rx_queues", DpdkLayout.DEV_INFO_MAX_RX_QUEUES);
        EXPECTED.put("rte_eth_dev_info.rx_offload_capa", DpdkLayout.DEV_INFO_RX_OFFLOAD_CAPA);
        EXPECTED.put("rte_eth_dev_info.reta_size", DpdkLayout.DEV_INFO_RETA_SIZE);
        EXPECTED.put("rte_eth_dev_info.hash_key_size", DpdkLayout.DEV_INFO_HASH_KEY_SIZE);
        EXPECTED.put("rte_eth_dev_info.flow_type_rss_offloads", DpdkLayout.DEV_INFO_FLOW_TYPE_RSS_OFFLOADS);
        EXPECTED.put("rte_eth_dev_info.rx_desc_lim", DpdkLayout.DEV_INFO_RX_DESC_LIM);
        EXPECTED.put("rte_eth_desc_lim.nb_max", DpdkLayout.DESC_LIM_NB_MAX);
        EXPECTED.put("rte_eth_desc_lim.nb_min", DpdkLayout.DESC_LIM_NB_MIN);
        EXPECTED.put("rte_eth_desc_lim.nb_align", DpdkLayout.DESC_LIM_NB_ALIGN);
        EXPECTED.put("sizeof_rte_eth_conf", DpdkLayout.ETH_CONF_SIZE);
        EXPECTED.put("rte_eth_conf.rxmode", DpdkLayout.ETH_CONF_RXMODE);
        EXPECTED.put("rte_eth_conf.rx_adv_conf.rss_conf", DpdkLayout.ETH_CONF_RSS_CONF);
        EXPECTED.put("rte_eth_rxmode.mq_mode", DpdkLayout.RXMODE_MQ_MODE);
        EXPECTED.put("rte_eth_rxmode.mtu", DpdkLayout.RXMODE_MTU);
        EXPECTED.put("rte_eth_rxmode.offloads", DpdkLayout.RXMODE_OFFLOADS);
        EXPECTED.put("sizeof_rte_eth_rss_conf", DpdkLayout.RSS_CONF_SIZE);
        EXPECTED.put("rte_eth_rss_conf.rss_key", DpdkLayout.RSS_CONF_RSS_KEY);
        EXPECTED.put("rte_eth_rss_conf.rss_key_len", DpdkLayout.RSS_CONF_RSS_KEY_LEN);
        EXPECTED.put("rte_eth_rss_conf.rss_hf", DpdkLayout.RSS_CONF_RSS_HF);
        EXPECTED.put("sizeof_rte_eth_stats", DpdkLayout.STATS_SIZE);
        EXPECTED.put("rte_eth_stats.ipackets", DpdkLayout.STATS_IPACKETS);
        EXPECTED.put("rte_eth_stats.ibytes", DpdkLayout.STATS_IBYTES);
        EXPECTED.put("rte_eth_stats.imissed", DpdkLayout.STATS_IMISSED);
        EXPECTED.put("rte_eth_stats.ierrors", DpdkLayout.STATS_IERRORS);
        EXPECTED.put("rte_eth_stats.rx_nombuf", DpdkLayout.STATS_RX_NOMBUF);
        EXPECTED.put("rte_eth_stats.q_ipackets", DpdkLayout.STATS_Q_IPACKETS);
        EXPECTED.put("sizeof_rte_eth_link", DpdkLayout.LINK_SIZE);
        EXPECTED.put("rte_eth_link.link_speed", DpdkLayout.LINK_SPEED);
        EXPECTED.put("sizeof_rte_ether_addr", DpdkLayout.ETHER_ADDR_SIZE);
        EXPECTED.put("sizeof_rte_eth_rss_reta_entry64", DpdkLayout.RETA_ENTRY64_SIZE);
        EXPECTED.put("rte_eth_rss_reta_entry64.mask", DpdkLayout.RETA_ENTRY64_MASK);
        EXPECTED.put("rte_eth_rss_reta_entry64.reta", DpdkLayout.RETA_ENTRY64_RETA);
        EXPECTED.put("sizeof_rte_eth_fp_ops", DpdkLayout.FP_OPS_SIZE);
        EXPECTED.put("rte_eth_fp_ops.rx_pkt_burst", DpdkLayout.FP_OPS_RX_PKT_BURST);
        EXPECTED.put("rte_eth_fp_ops.rxq", DpdkLayout.FP_OPS_RXQ);
        EXPECTED.put("rte_ethdev_qdata.data", DpdkLayout.QDATA_DATA);
        EXPECTED.put("RTE_PKTMBUF_HEADROOM", (long) DpdkLayout.PKTMBUF_HEADROOM);
        EXPECTED.put("RTE_MAX_ETHPORTS", (long) DpdkLayout.MAX_ETHPORTS);
        EXPECTED.put("RTE_ETHDEV_QUEUE_STAT_CNTRS", (long) DpdkLayout.ETHDEV_QUEUE_STAT_CNTRS);
        EXPECTED.put("RTE_ETH_RETA_GROUP_SIZE", (long) DpdkLayout.ETH_RETA_GROUP_SIZE);
        EXPECTED.put("RTE_ETH_MQ_RX_NONE", (long) DpdkLayout.ETH_MQ_RX_NONE);
        EXPECTED.put("RTE_ETH_MQ_RX_RSS", (long) DpdkLayout.ETH_MQ_RX_RSS);
        EXPECTED.put("RTE_ETH_RX_OFFLOAD_TIMESTAMP", DpdkLayout.ETH_RX_OFFLOAD_TIMESTAMP);
        EXPECTED.put("RTE_ETH_RX_OFFLOAD_SCATTER", DpdkLayout.ETH_RX_OFFLOAD_SCATTER);
        EXPECTED.put("RTE_ETH_RSS_IP", DpdkLayout.ETH_RSS_IP);
        EXPECTED.put("RTE_ETH_RSS_TCP", DpdkLayout.ETH_RSS_TCP);
        EXPECTED.put("RTE_ETH_RSS_UDP", DpdkLayout.ETH_RSS_UDP);
        EXPECTED.put("RTE_ETH_RSS_SCTP", DpdkLayout.ETH_RSS_SCTP);
        EXPECTED.put("RTE_ETH_RSS_L2_PAYLOAD", DpdkLayout.ETH_RSS_L2_PAYLOAD);
        EXPECTED.put("RTE_ETH_RSS_ETH", DpdkLayout.ETH_RSS_ETH);
        EXPECTED.put("RTE_ETH_LINK_UP", 1L);
        EXPECTED.put("RTE_ETHER_ADDR_LEN", DpdkLayout.ETHER_ADDR_SIZE);
        EXPECTED.put("RTE_ETH_NAME_MAX_LEN", (long) DpdkLayout.ETH_NAME_MAX_LEN);
        EXPECTED.put("RTE_MEMPOOL_NAMESIZE", (long) DpdkLayout.MEMPOOL_NAMESIZE);
        EXPECTED.put("SOCKET_ID_ANY", (long) DpdkLayout.SOCKET_ID_ANY);
    }

    @Test
    void javaStructOffsetsMatchTheInstalledDpdkHeaders(@TempDir final Path dir) throws Exception {
        NativeRequirement.require(onPath("gcc"), "gcc is not installed (apt-get install gcc)");
        NativeRequirement.require(onPath("pkg-config"), "pkg-config is not installed (apt-get install pkg-config)");
        final Run cflags = run(dir, List.of("pkg-config", "--cflags", "libdpdk"));
        NativeRequirement.require(cflags.status == 0, "the DPDK headers are not installed (apt-get install"
                + " libdpdk-dev): pkg-config says " + cflags.output.strip());
        final Path source = dir.resolve("dpdk_layout.c");
        try (InputStream in = StructLayoutTest.class.getResourceAsStream("/dpdk_layout.c")) {
            Files.copy(in, source);
        }
        final List<String> gcc = new ArrayList<>(List.of("gcc", "-o", dir.resolve("dpdk_layout").toString(),
                source.toString()));
        gcc.addAll(List.of(cflags.output.strip().split("\\s+")));
        final Run compile = run(dir, gcc);
        assertEquals(0, compile.status, "gcc failed:\n" + compile.output);
        final Run layout = run(dir, List.of(dir.resolve("dpdk_layout").toString()));
        assertEquals(0, layout.status, layout.output);

        final Map<String, Long> actual = new HashMap<>();
        for (final String line : layout.output.split("\n")) {
            final String[] f = line.strip().split(" ");
            if (f.length == 2) {
                actual.put(f[0], Long.parseUnsignedLong(f[1]));
            }
        }
        final List<String> mismatches = new ArrayList<>();
        for (final Map.Entry<String, Long> e : EXPECTED.entrySet()) {
            final Long c = actual.get(e.getKey());
            final long java = e.getValue();
            // SOCKET_ID_ANY prints as an unsigned 64-bit -1
            if (c == null || (c != java && !(java == -1 && c == -1L))) {
                mismatches.add(e.getKey() + ": C " + c + ", Java " + java);
            }
        }
        assertTrue(mismatches.isEmpty(), "DpdkLayout disagrees with the installed headers: " + mismatches);
        assertEquals(EXPECTED.size(), actual.size(), "the C program prints names the test does not check: "
                + actual.keySet().stream().filter(k -> !EXPECTED.containsKey(k)).toList());
    }

    private static boolean onPath(final String tool) {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private record Run(int status, String output) {
    }

    private static Run run(final Path dir, final List<String> command) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Run(-1, "timed out: " + command);
        }
        return new Run(p.exitValue(), out);
    }
}
