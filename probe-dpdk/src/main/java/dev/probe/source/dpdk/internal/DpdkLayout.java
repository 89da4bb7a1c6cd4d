package dev.probe.source.dpdk.internal;

/**
 * Sizes, offsets and constants of the DPDK 22.11 structures the bindings touch, for x86-64.
 *
 * <p>Checked against the installed headers by {@code StructLayoutTest}, which compiles a C program that
 * prints {@code sizeof} and {@code offsetof} for each of them: a DPDK upgrade that moves a field fails
 * that test instead of corrupting memory. Names follow the C {@code struct.field}.
 */
public final class DpdkLayout {
    private DpdkLayout() {
    }

    // struct rte_mbuf (RTE_IOVA_AS_PA=1: next lives in the second cache line)
    public static final long MBUF_SIZE = 128;
    public static final long MBUF_BUF_ADDR = 0;
    public static final long MBUF_DATA_OFF = 16;
    public static final long MBUF_NB_SEGS = 20;
    public static final long MBUF_OL_FLAGS = 24;
    public static final long MBUF_PKT_LEN = 36;
    public static final long MBUF_DATA_LEN = 40;
    public static final long MBUF_POOL = 56;
    public static final long MBUF_NEXT = 64;

    // struct rte_mempool, struct rte_mempool_cache, struct rte_mempool_ops and rte_mempool_ops_table
    public static final long MEMPOOL_SIZE = 192;
    public static final long MEMPOOL_CACHE_SIZE = 68;
    public static final long MEMPOOL_OPS_INDEX = 88;
    public static final long MEMPOOL_LOCAL_CACHE = 96;
    public static final long MEMPOOL_CACHE_STRUCT_SIZE = 8256;
    public static final long MEMPOOL_CACHE_FLUSHTHRESH = 4;
    public static final long MEMPOOL_CACHE_LEN = 8;
    public static final long MEMPOOL_CACHE_OBJS = 64;
    public static final long MEMPOOL_OPS_SIZE = 128;
    public static final long MEMPOOL_OPS_ENQUEUE = 48;
    public static final long MEMPOOL_OPS_TABLE_OPS = 64;

    // struct rte_eth_dev_info
    public static final long DEV_INFO_SIZE = 376;
    public static final long DEV_INFO_DRIVER_NAME = 8;
    public static final long DEV_INFO_MIN_MTU = 20;
    public static final long DEV_INFO_MAX_MTU = 22;
    public static final long DEV_INFO_MAX_RX_PKTLEN = 36;
    public static final long DEV_INFO_MAX_RX_QUEUES = 44;
    public static final long DEV_INFO_RX_OFFLOAD_CAPA = 72;
    public static final long DEV_INFO_RETA_SIZE = 104;
    public static final long DEV_INFO_HASH_KEY_SIZE = 106;
    public static final long DEV_INFO_FLOW_TYPE_RSS_OFFLOADS = 112;
    public static final long DEV_INFO_RX_DESC_LIM = 262;

    // struct rte_eth_desc_lim
    public static final long DESC_LIM_NB_MAX = 0;
    public static final long DESC_LIM_NB_MIN = 2;
    public static final long DESC_LIM_NB_ALIGN = 4;

    // struct rte_eth_conf, its rxmode and rx_adv_conf.rss_conf
    public static final long ETH_CONF_SIZE = 2272;
    public static final long ETH_CONF_RXMODE = 8;
    public static final long ETH_CONF_RSS_CONF = 128;
    public static final long RXMODE_MQ_MODE = 0;
    public static final long RXMODE_MTU = 4;
    public static final long RXMODE_OFFLOADS = 16;

    // struct rte_eth_rss_conf
    public static final long RSS_CONF_SIZE = 24;
    public static final long RSS_CONF_RSS_KEY = 0;
    public static final long RSS_CONF_RSS_KEY_LEN = 8;
    public static final long RSS_CONF_RSS_HF = 16;

    // struct rte_eth_stats
    public static final long STATS_SIZE = 704;
    public static final long STATS_IPACKETS = 0;
    public static final long STATS_IBYTES = 16;
    public static final long STATS_IMISSED = 32;
    public static final long STATS_IERRORS = 40;
    public static final long STATS_RX_NOMBUF = 56;
    public static final long STATS_Q_IPACKETS = 64;

    // struct rte_eth_link: link_status is bit 2 of the 16-bit word after link_speed
    public static final long LINK_SIZE = 8;
    public static final long LINK_SPEED = 0;
    public static final long LINK_FLAGS = 4;
    public static final int LINK_FLAG_STATUS_UP = 4;
    public static final int LINK_FLAG_DUPLEX_FULL = 1;

    // struct rte_ether_addr
    public static final long ETHER_ADDR_SIZE = 6;

    // struct rte_eth_rss_reta_entry64
    public static final long RETA_ENTRY64_SIZE = 136;
    public static final long RETA_ENTRY64_MASK = 0;
    public static final long RETA_ENTRY64_RETA = 8;

    // struct rte_eth_fp_ops and struct rte_ethdev_qdata
    public static final long FP_OPS_SIZE = 128;
    public static final long FP_OPS_RX_PKT_BURST = 0;
    public static final long FP_OPS_RXQ = 24;
    public static final long QDATA_DATA = 0;

    // constants from rte_config.h, rte_build_config.h and rte_ethdev.h
    public static final int PKTMBUF_HEADROOM = 128;
    public static final int MAX_ETHPORTS = 32;
    public static final int MAX_LCORE = 128;
    public static final int LCORE_ID_ANY = -1;
    public static final int MEMPOOL_MAX_OPS_IDX = 16;
    public static final int MEMPOOL_CACHE_MAX_SIZE = 512;
    public static final int ETHDEV_QUEUE_STAT_CNTRS = 16;
    public static final int ETH_RETA_GROUP_SIZE = 64;
    public static final int ETH_MQ_RX_NONE = 0;
    public static final int ETH_MQ_RX_RSS = 1;
    public static final long ETH_RX_OFFLOAD_TIMESTAMP = 1L << 14;
    public static final long ETH_RX_OFFLOAD_SCATTER = 1L << 13;
    public static final long ETH_RSS_IP = 41868;
    public static final long ETH_RSS_TCP = 66576;
    public static final long ETH_RSS_UDP = 133152;
    public static final long ETH_RSS_SCTP = 4160;
    public static final long ETH_RSS_L2_PAYLOAD = 1L << 14;
    public static final long ETH_RSS_ETH = 1L << 24;
    public static final int ETH_NAME_MAX_LEN = 64;
    public static final int MEMPOOL_NAMESIZE = 26;
    public static final int SOCKET_ID_ANY = -1;
    public static final int ETHER_HDR_AND_CRC_LEN = 18;
    public static final long ETH_SPEED_NUM_UNKNOWN = 0xFFFF_FFFFL;
}
