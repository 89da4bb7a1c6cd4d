/*
 * Prints the size and offset of every DPDK struct field the Java bindings use, one "NAME VALUE" per
 * line, compiled against the installed headers by StructLayoutTest and compared with DpdkLayout.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define SIZE(t) printf("sizeof_%s %zu\n", #t, sizeof(struct t))
#define OFF(t, f) printf("%s.%s %zu\n", #t, #f, offsetof(struct t, f))
#define FSIZE(t, f) printf("sizeof_%s.%s %zu\n", #t, #f, sizeof(((struct t *)0)->f))
#define CONST(c) printf("%s %llu\n", #c, (unsigned long long)(c))

int main(void)
{
	/* rte_eth_link: link_status is a bit field; print the 16-bit word and the bit it sets */
	struct rte_eth_link link;
	memset(&link, 0, sizeof(link));
	link.link_status = 1;
	unsigned short word;
	memcpy(&word, (char *)&link + offsetof(struct rte_eth_link, link_speed) + 4, 2);
	printf("rte_eth_link.link_status_word_with_status_up %u\n", word);
	memset(&link, 0, sizeof(link));
	link.link_duplex = 1;
	memcpy(&word, (char *)&link + 4, 2);
	printf("rte_eth_link.link_status_word_with_duplex_full %u\n", word);

	SIZE(rte_mbuf);
	OFF(rte_mbuf, buf_addr);
	OFF(rte_mbuf, data_off);
	OFF(rte_mbuf, nb_segs);
	OFF(rte_mbuf, ol_flags);
	OFF(rte_mbuf, pkt_len);
	OFF(rte_mbuf, data_len);
	OFF(rte_mbuf, next);
	OFF(rte_mbuf, pool);
	SIZE(rte_mempool);
	OFF(rte_mempool, cache_size);
	OFF(rte_mempool, ops_index);
	OFF(rte_mempool, local_cache);
	SIZE(rte_mempool_cache);
	OFF(rte_mempool_cache, flushthresh);
	OFF(rte_mempool_cache, len);
	OFF(rte_mempool_cache, objs);
	FSIZE(rte_mempool_cache, len);
	SIZE(rte_mempool_ops);
	OFF(rte_mempool_ops, enqueue);
	OFF(rte_mempool_ops_table, ops);
	CONST(RTE_MAX_LCORE);
	CONST(LCORE_ID_ANY);
	CONST(RTE_MEMPOOL_MAX_OPS_IDX);
	CONST(RTE_MEMPOOL_CACHE_MAX_SIZE);
#ifdef RTE_LIBRTE_MEMPOOL_DEBUG
	printf("RTE_LIBRTE_MEMPOOL_DEBUG 1\n");
#else
	printf("RTE_LIBRTE_MEMPOOL_DEBUG 0\n");
#endif
	FSIZE(rte_mbuf, pkt_len);
	FSIZE(rte_mbuf, data_len);

	SIZE(rte_eth_dev_info);
	OFF(rte_eth_dev_info, driver_name);
	OFF(rte_eth_dev_info, min_mtu);
	OFF(rte_eth_dev_info, max_mtu);
	OFF(rte_eth_dev_info, max_rx_pktlen);
	OFF(rte_eth_dev_info, max_rx_queues);
	OFF(rte_eth_dev_info, rx_offload_capa);
	OFF(rte_eth_dev_info, reta_size);
	OFF(rte_eth_dev_info, hash_key_size);
	OFF(rte_eth_dev_info, flow_type_rss_offloads);
	OFF(rte_eth_dev_info, rx_desc_lim);
	OFF(rte_eth_desc_lim, nb_max);
	OFF(rte_eth_desc_lim, nb_min);
	OFF(rte_eth_desc_lim, nb_align);

	SIZE(rte_eth_conf);
	OFF(rte_eth_conf, rxmode);
	OFF(rte_eth_conf, rx_adv_conf.rss_conf);
	OFF(rte_eth_rxmode, mq_mode);
	OFF(rte_eth_rxmode, mtu);
	OFF(rte_eth_rxmode, offloads);
	SIZE(rte_eth_rss_conf);
	OFF(rte_eth_rss_conf, rss_key);
	OFF(rte_eth_rss_conf, rss_key_len);
	OFF(rte_eth_rss_conf, rss_hf);


	SIZE(rte_eth_stats);
	OFF(rte_eth_stats, ipackets);
	OFF(rte_eth_stats, ibytes);
	OFF(rte_eth_stats, imissed);
	OFF(rte_eth_stats, ierrors);
	OFF(rte_eth_stats, rx_nombuf);
	OFF(rte_eth_stats, q_ipackets);

	SIZE(rte_eth_link);
	OFF(rte_eth_link, link_speed);

	SIZE(rte_ether_addr);

	SIZE(rte_eth_rss_reta_entry64);
	OFF(rte_eth_rss_reta_entry64, mask);
	OFF(rte_eth_rss_reta_entry64, reta);

	SIZE(rte_eth_fp_ops);
	OFF(rte_eth_fp_ops, rx_pkt_burst);
	OFF(rte_eth_fp_ops, rxq);
	OFF(rte_ethdev_qdata, data);

	CONST(RTE_PKTMBUF_HEADROOM);
	CONST(RTE_MAX_ETHPORTS);
	CONST(RTE_ETHDEV_QUEUE_STAT_CNTRS);
	CONST(RTE_ETH_RETA_GROUP_SIZE);
	CONST(RTE_ETH_MQ_RX_NONE);
	CONST(RTE_ETH_MQ_RX_RSS);
	CONST(RTE_ETH_RX_OFFLOAD_TIMESTAMP);
	CONST(RTE_ETH_RX_OFFLOAD_SCATTER);
	CONST(RTE_ETH_RSS_IP);
	CONST(RTE_ETH_RSS_TCP);
	CONST(RTE_ETH_RSS_UDP);
	CONST(RTE_ETH_RSS_SCTP);
	CONST(RTE_ETH_RSS_L2_PAYLOAD);
	CONST(RTE_ETH_RSS_ETH);
	CONST(RTE_ETH_LINK_UP);
	CONST(RTE_ETHER_ADDR_LEN);
	CONST(RTE_ETH_NAME_MAX_LEN);
	CONST(RTE_MEMPOOL_NAMESIZE);
	CONST(SOCKET_ID_ANY);
	return 0;
}
