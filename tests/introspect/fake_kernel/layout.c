// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * layout.c - print, from the C compiler's own offsetof()/sizeof() and enum
 * values, the VMCOREINFO lines that `makedumpfile -g -x` must find in the
 * debuginfo of the fake vmlinux built from the same kernel.h.  A hosted
 * program: the oracle for tests/introspect/test_dwarf.py.
 */
#include <stddef.h>
#include <stdio.h>

#include "kernel.h"

#define SIZE(s)		printf("SIZE(%s)=%zu\n", #s, sizeof(struct s))
#define TSIZE(t)	printf("SIZE(%s)=%zu\n", #t, sizeof(t))
#define OFF(s, m)	printf("OFFSET(%s.%s)=%zu\n", #s, #m, offsetof(struct s, m))
#define TOFF(t, m)	printf("OFFSET(%s.%s)=%zu\n", #t, #m, offsetof(t, m))
#define LEN(k, a)	printf("LENGTH(%s)=%zu\n", k, sizeof(a) / sizeof((a)[0]))
#define NUM(n)		printf("NUMBER(%s)=%ld\n", #n, (long)(n))

int main(void)
{
	struct zone z;
	struct free_area fa;
	struct dev_printk_info di;
	struct pglist_data *nd[1024];

	SIZE(page); SIZE(mem_section); SIZE(pglist_data); SIZE(zone);
	SIZE(free_area); SIZE(list_head); TSIZE(nodemask_t);
	SIZE(printk_ringbuffer); SIZE(prb_desc_ring); SIZE(prb_desc);
	SIZE(prb_data_blk_lpos); SIZE(printk_info); SIZE(dev_printk_info);
	SIZE(prb_data_ring); TSIZE(atomic_long_t); SIZE(latched_seq);
	OFF(uts_namespace, name); OFF(mem_section, section_mem_map);
	OFF(page, flags); OFF(page, _refcount); OFF(page, mapping); OFF(page, lru);
	OFF(page, _mapcount); OFF(page, private); OFF(page, compound_dtor);
	OFF(page, compound_order); OFF(page, compound_head);
	OFF(pglist_data, node_zones); OFF(pglist_data, nr_zones);
	OFF(pglist_data, node_start_pfn); OFF(pglist_data, node_spanned_pages);
	OFF(pglist_data, node_id);
	OFF(zone, free_area); OFF(zone, vm_stat); OFF(zone, spanned_pages);
	OFF(free_area, free_list); OFF(list_head, next); OFF(list_head, prev);
	OFF(vmap_area, va_start); OFF(vmap_area, list);
	OFF(printk_ringbuffer, desc_ring); OFF(printk_ringbuffer, text_data_ring);
	OFF(printk_ringbuffer, fail);
	OFF(prb_desc_ring, count_bits); OFF(prb_desc_ring, descs);
	OFF(prb_desc_ring, infos); OFF(prb_desc_ring, head_id);
	OFF(prb_desc_ring, tail_id);
	OFF(prb_desc, state_var); OFF(prb_desc, text_blk_lpos);
	OFF(prb_data_blk_lpos, begin); OFF(prb_data_blk_lpos, next);
	OFF(printk_info, seq); OFF(printk_info, ts_nsec); OFF(printk_info, text_len);
	OFF(printk_info, caller_id); OFF(printk_info, dev_info);
	OFF(dev_printk_info, subsystem); OFF(dev_printk_info, device);
	OFF(prb_data_ring, size_bits); OFF(prb_data_ring, data);
	OFF(prb_data_ring, head_lpos); OFF(prb_data_ring, tail_lpos);
	TOFF(atomic_long_t, counter); OFF(latched_seq, val);
	LEN("node_data", nd);
	LEN("zone.free_area", z.free_area);
	LEN("free_area.free_list", fa.free_list);
	LEN("printk_info_subsystem", di.subsystem);
	LEN("printk_info_device", di.device);
	NUM(NR_FREE_PAGES); NUM(N_ONLINE); NUM(PG_lru); NUM(PG_private);
	NUM(PG_swapcache); NUM(PG_swapbacked); NUM(PG_slab); NUM(PG_hwpoison);
	NUM(HUGETLB_PAGE_DTOR);
	printf("NUMBER(PG_head_mask)=%ld\n", 1L << PG_head);
	return 0;
}
