/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kernel.h - the kernel structures the -x/-g tests look up, written with
 * Linux 6.1's member names, order and types (x86_64), so that their
 * offsets are those of a real 6.1 kernel.  Compiled twice: into the fake
 * vmlinux (printk.c, mm.c, head.S, with -g) and into layout.c, a hosted
 * program that prints what -g must find, with offsetof() and sizeof().
 */
#ifndef FAKE_KERNEL_H
#define FAKE_KERNEL_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef long long s64;

typedef struct { int counter; } atomic_t;
typedef struct { s64 counter; } atomic64_t;
typedef atomic64_t atomic_long_t;

struct list_head {
	struct list_head *next, *prev;
};

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};

struct address_space;

struct page {
	unsigned long flags;
	union {
		struct {
			union {
				struct list_head lru;
				struct {
					void *__filler;
					unsigned int mlock_count;
				};
			};
			struct address_space *mapping;
			unsigned long index;
			unsigned long private;
		};
		struct {
			unsigned long pp_magic;
			void *pp;
			unsigned long _pp_mapping_pad;
			unsigned long dma_addr;
			unsigned long dma_addr_upper;
		};
		struct {
			unsigned long compound_head;
			unsigned char compound_dtor;
			unsigned char compound_order;
			atomic_t compound_mapcount;
			atomic_t subpages_mapcount;
			atomic_t compound_pincount;
			unsigned int compound_nr;
		};
		struct rcu_head rcu_head;
	};
	union {
		atomic_t _mapcount;
		unsigned int page_type;
	};
	atomic_t _refcount;
	unsigned long memcg_data;
};

struct mem_section_usage;
struct mem_section {
	unsigned long section_mem_map;
	struct mem_section_usage *usage;
};

#define MAX_ORDER 11
#define MIGRATE_TYPES 5
#define MAX_NR_ZONES 4
#define NR_VM_ZONE_STAT_ITEMS 11

struct free_area {
	struct list_head free_list[MIGRATE_TYPES];
	unsigned long nr_free;
};

enum zone_stat_item {
	NR_FREE_PAGES,
	NR_ZONE_LRU_BASE,
	NR_ZONE_INACTIVE_ANON = NR_ZONE_LRU_BASE,
	NR_ZONE_ACTIVE_ANON,
	NR_ZONE_INACTIVE_FILE,
	NR_ZONE_ACTIVE_FILE,
	NR_ZONE_UNEVICTABLE,
	NR_ZONE_WRITE_PENDING,
	NR_MLOCK,
	NR_BOUNCE,
	NR_ZSPAGES,
	NR_FREE_CMA_PAGES,
	NR_VM_ZONE_STAT_ITEMS_ENUM
};

struct zone {
	unsigned long _watermark[4];
	unsigned long watermark_boost;
	unsigned long nr_reserved_highatomic;
	long lowmem_reserve[MAX_NR_ZONES];
	int node;
	struct pglist_data *zone_pgdat;
	void *per_cpu_pageset;
	void *per_cpu_zonestats;
	int pageset_high;
	int pageset_batch;
	unsigned long zone_start_pfn;
	atomic_long_t managed_pages;
	unsigned long spanned_pages;
	unsigned long present_pages;
	const char *name;
	int initialized;
	struct free_area free_area[MAX_ORDER];
	unsigned long flags;
	unsigned long percpu_drift_mark;
	atomic_long_t vm_stat[NR_VM_ZONE_STAT_ITEMS];
} __attribute__((aligned(64)));

struct pglist_data {
	struct zone node_zones[MAX_NR_ZONES];
	int nr_zones;
	unsigned long node_start_pfn;
	unsigned long node_present_pages;
	unsigned long node_spanned_pages;
	int node_id;
};

typedef struct { unsigned long bits[1024 / 64]; } nodemask_t;

enum node_states {
	N_POSSIBLE,
	N_ONLINE,
	N_NORMAL_MEMORY,
	N_HIGH_MEMORY = N_NORMAL_MEMORY,
	N_MEMORY,
	N_CPU,
	N_GENERIC_INITIATOR,
	NR_NODE_STATES
};

enum pageflags {
	PG_locked, PG_referenced, PG_uptodate, PG_dirty, PG_lru, PG_active,
	PG_workingset, PG_waiters, PG_error, PG_slab, PG_owner_priv_1,
	PG_arch_1, PG_reserved, PG_private, PG_private_2, PG_writeback,
	PG_head, PG_mappedtodisk, PG_reclaim, PG_swapbacked, PG_unevictable,
	PG_mlocked, PG_uncached, PG_hwpoison, PG_young, PG_idle, PG_arch_2,
	__NR_PAGEFLAGS,
	PG_readahead = PG_reclaim,
	PG_checked = PG_owner_priv_1,
	PG_swapcache = PG_owner_priv_1,
	PG_fscache = PG_private_2,
	PG_pinned = PG_owner_priv_1,
	PG_savepinned = PG_dirty,
	PG_foreign = PG_owner_priv_1,
	PG_xen_remapped = PG_owner_priv_1,
	PG_isolated = PG_reclaim,
	PG_reported = PG_uptodate,
	PG_has_hwpoisoned = PG_error,
};

enum compound_dtor_id {
	NULL_COMPOUND_DTOR,
	COMPOUND_PAGE_DTOR,
	HUGETLB_PAGE_DTOR,
	TRANSHUGE_PAGE_DTOR,
	NR_COMPOUND_DTORS,
};

#define __NEW_UTS_LEN 64
struct new_utsname {
	char sysname[__NEW_UTS_LEN + 1];
	char nodename[__NEW_UTS_LEN + 1];
	char release[__NEW_UTS_LEN + 1];
	char version[__NEW_UTS_LEN + 1];
	char machine[__NEW_UTS_LEN + 1];
	char domainname[__NEW_UTS_LEN + 1];
};

struct uts_namespace {
	struct new_utsname name;
	void *user_ns;
	void *ucounts;
	unsigned int ns_inum;
};

struct vmap_area {
	unsigned long va_start;
	unsigned long va_end;
	struct { void *a, *b, *c; } rb_node;
	struct list_head list;
	union {
		unsigned long subtree_max_size;
		void *vm;
	};
};

/* printk_ringbuffer.h */
struct prb_data_blk_lpos {
	unsigned long begin;
	unsigned long next;
};

struct prb_desc {
	atomic_long_t state_var;
	struct prb_data_blk_lpos text_blk_lpos;
};

struct prb_data_ring {
	unsigned int size_bits;
	char *data;
	atomic_long_t head_lpos;
	atomic_long_t tail_lpos;
};

#define PRINTK_INFO_SUBSYSTEM_LEN 16
#define PRINTK_INFO_DEVICE_LEN 48
struct dev_printk_info {
	char subsystem[PRINTK_INFO_SUBSYSTEM_LEN];
	char device[PRINTK_INFO_DEVICE_LEN];
};

struct printk_info {
	u64 seq;
	u64 ts_nsec;
	u16 text_len;
	u8 facility;
	u8 flags:5;
	u8 level:3;
	u32 caller_id;
	struct dev_printk_info dev_info;
};

struct prb_desc_ring {
	unsigned int count_bits;
	struct prb_desc *descs;
	struct printk_info *infos;
	atomic_long_t head_id;
	atomic_long_t tail_id;
	atomic_long_t last_finalized_id;
};

struct printk_ringbuffer {
	struct prb_desc_ring desc_ring;
	struct prb_data_ring text_data_ring;
	atomic_long_t fail;
};

typedef struct { unsigned int sequence; } seqcount_latch_t;
struct latched_seq {
	seqcount_latch_t latch;
	u64 val[2];
};

#endif
