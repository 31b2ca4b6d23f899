// SPDX-License-Identifier: GPL-2.0-or-later
/* mm.c - memory-management variables of the fake vmlinux, and a decoy static log_buf */
#include "kernel.h"

struct mem_section **mem_section;
struct pglist_data *node_data[1024];
nodemask_t node_states[NR_NODE_STATES];
struct page *vmemmap_dummy;
struct vmap_area vmap_area_dummy;
struct list_head vmap_area_list;
enum pageflags pageflags_dummy;
enum zone_stat_item zone_stat_dummy;
enum compound_dtor_id dtor_dummy;
struct uts_namespace init_uts_ns = {
	.name = {
		.sysname = "Linux",
		.nodename = "(none)",
		.release = "6.1.0-fake-amd64",
		.version = "#1 SMP PREEMPT_DYNAMIC fake",
		.machine = "x86_64",
		.domainname = "(none)",
	},
};
const char linux_banner[] = "Linux version 6.1.0-fake-amd64 (fake@test) #1 SMP\n";

/* not the printk buffer: a static of the same name in another file */
static int log_buf[3] = { 1, 2, 3 };
void *mm_refs[] = { log_buf, &vmemmap_dummy };
