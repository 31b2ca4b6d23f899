#!/usr/bin/python3
"""vmcoregen - synthetic x86_64 ELF vmcores with ground truth.

Builds a small ELF64 little-endian ET_CORE file shaped like the capture
kernel's /proc/vmcore (merged PT_NOTE with CORE/NT_PRSTATUS notes and a
VMCOREINFO note, a kernel-text PT_LOAD overlapping RAM, one PT_LOAD per RAM
range) from a short text description, together with a JSON "truth" file that
lists, for every dump level, the pfns that upstream makedumpfile semantics
exclude.  The memory image is self-consistent: real x86_64 4/5-level page
tables rooted at init_top_pgt map the kernel image, the direct map and the
vmemmap; mem_section (SPARSEMEM_EXTREME or static SPARSEMEM), the nodes'
pglist_data.node_mem_map (DISCONTIGMEM) or mem_map (FLATMEM) describe every
RAM pfn's struct page; zones carry real buddy free lists.

Library use::

    import vmcoregen
    truth = vmcoregen.generate(desc_text, "out.elf")      # also out.elf.truth.json
    kept = vmcoregen.expected_kept(truth, 31)              # set of pfns (kdump bitmap 2)

Command line: see ``vmcoregen.py --help`` and tests/gen/README.md.

Standard library only; Python >= 3.9.
"""

import argparse
import hashlib
import json
import random
import re
import struct
import sys

PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT
SZ_2M = 1 << 21
SZ_1G = 1 << 30
MASK64 = (1 << 64) - 1
START_KERNEL_MAP = 0xffffffff80000000
START_KERNEL = 0xffffffff81000000          # __START_KERNEL with PHYSICAL_START 16M
KERNEL_IMAGE_SIZE = 1 << 30                # KASLR: 1 GiB
PGMM_CACHED = 512                          # makedumpfile's struct page read block

# x86_64 page table entry bits
_PAGE_PRESENT = 1 << 0
_PAGE_RW = 1 << 1
_PAGE_ACCESSED = 1 << 5
_PAGE_DIRTY = 1 << 6
_PAGE_PSE = 1 << 7
_PAGE_GLOBAL = 1 << 8
_PAGE_NX = 1 << 63
PTE_TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY          # 0x63
PTE_LEAF = PTE_TABLE | _PAGE_GLOBAL                                          # 0x163
PTE_LARGE = PTE_LEAF | _PAGE_PSE                                             # 0x1e3

# mem_section flags (include/linux/mmzone.h, 6.1)
SECTION_MARKED_PRESENT = 1
SECTION_HAS_MEM_MAP = 2
SECTION_IS_ONLINE = 4
SECTION_IS_EARLY = 8

# ELF constants
ET_CORE = 4
EM_X86_64 = 62
PT_LOAD = 1
PT_NOTE = 4
PN_XNUM = 0xffff
NT_PRSTATUS = 1
PRSTATUS_SIZE = 336

DUMP_LEVEL_BITS = (1, 2, 4, 8, 16)


class GenError(Exception):
    """Bad description or a layout the generator cannot build."""


# ---------------------------------------------------------------------------
# Kernel profiles.  One entry per "era"; everything era-specific lives here.
# ---------------------------------------------------------------------------

class Profile:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def _vmcoreinfo_era(g):
    """VMCOREINFO lines in the order crash_save_vmcoreinfo_init() (kernel/
    kexec.c, kexec_core.c, crash_core.c, vmcore_info.c), the printk setup and
    arch_crash_save_vmcoreinfo() of the profile's version emit them, with the
    keys that version has (vmcoreinfo_keys_for(); eras.md §5).  Sizes and
    offsets of structures other than struct page are those of a real 6.2.15
    kernel; they are self-consistent with the memory the generator writes."""
    p = g.profile
    v = p.version
    K = p.keys
    o = p.page_off
    L = []

    def sym(name, val):
        L.append(('SYMBOL(%s)' % name, '%x' % val))

    def num(name, val):
        L.append(('NUMBER(%s)' % name, '%d' % _signed64(val)))

    def num_t(name, val):
        # page-type values are C ints: (long)(int) when printed
        val &= 0xffffffff
        L.append(('NUMBER(%s)' % name, '%d' % (val - (1 << 32) if val >> 31 else val)))

    L.append(('OSRELEASE', g.osrelease))
    if 'BUILD-ID' in K:
        L.append(('BUILD-ID', g.build_id))
    L.append(('PAGESIZE', '%d' % PAGE_SIZE))
    sym('init_uts_ns', g.sym['init_uts_ns'])
    if 'uts_namespace' in K:
        L.append(('OFFSET(uts_namespace.name)', '0'))
    sym('node_online_map', g.sym['node_online_map'])
    sym('swapper_pg_dir', g.sym['init_top_pgt'])
    sym('_stext', g.sym['_stext'])
    if 'vmlist' in K:
        sym('vmlist', g.sym['vmlist'])
    if 'vmap_area_list' in K:
        sym('vmap_area_list', g.sym['vmap_area_list'])
    if 'VMALLOC_START' in K:
        L.append(('NUMBER(VMALLOC_START)', '0x%x' % g.vmalloc_start))
        if g.vmemmap:
            sym('vmemmap', g.vmemmap_base)
    if not g.numa:
        sym('mem_map', g.sym['mem_map'])
        sym('contig_page_data', g.sym['contig_page_data'])
    if g.sparse:
        sym('mem_section', g.sym['mem_section'])
        L.append(('LENGTH(mem_section)', '%d' % g.nr_section_roots))
        L.append(('SIZE(mem_section)', '%d' % g.mem_section_size))
        L.append(('OFFSET(mem_section.section_mem_map)', '0'))
        if 'SECTION_SIZE_BITS' in K:
            num('SECTION_SIZE_BITS', p.section_size_bits)
        if 'MAX_PHYSMEM_BITS' in K:
            num('MAX_PHYSMEM_BITS', g.max_physmem_bits)
    s = p.sizes
    L.append(('SIZE(page)', '%d' % p.struct_page_size))
    L.append(('SIZE(pglist_data)', '%d' % s['pglist_data']))
    L.append(('SIZE(zone)', '%d' % s['zone']))
    L.append(('SIZE(free_area)', '%d' % s['free_area']))
    L.append(('SIZE(list_head)', '16'))
    L.append(('SIZE(nodemask_t)', '%d' % s['nodemask_t']))
    L.append(('OFFSET(page.flags)', '%d' % o['flags']))
    L.append(('OFFSET(page.%s)' % p.count_name, '%d' % o['count']))
    L.append(('OFFSET(page.mapping)', '%d' % o['mapping']))
    L.append(('OFFSET(page.lru)', '%d' % o['lru']))
    if 'mapcount_private' in K:
        L.append(('OFFSET(page._mapcount)', '%d' % o['mapcount']))
        L.append(('OFFSET(page.private)', '%d' % o['private']))
    if 'compound_page' in K:
        L.append(('OFFSET(page.compound_dtor)', '%d' % o['dtor']))
        L.append(('OFFSET(page.compound_order)', '%d' % o['order']))
    if 'compound_folio' in K:
        L.append(('OFFSET(folio._folio_dtor)', '%d' % (p.struct_page_size + o['dtor'])))
        L.append(('OFFSET(folio._folio_order)', '%d' % (p.struct_page_size + o['order'])))
    if 'compound_head' in K:
        L.append(('OFFSET(page.%s)' % ('compound_info' if v >= (7, 1, 0) else 'compound_head'),
                  '%d' % o['compound_head']))
    po = p.pgdat_off
    L.append(('OFFSET(pglist_data.node_zones)', '%d' % po['node_zones']))
    L.append(('OFFSET(pglist_data.nr_zones)', '%d' % po['nr_zones']))
    if not g.sparse:
        # CONFIG_FLAT_NODE_MEM_MAP (FLATMEM and DISCONTIGMEM)
        L.append(('OFFSET(pglist_data.node_mem_map)', '%d' % po['node_mem_map']))
    L.append(('OFFSET(pglist_data.node_start_pfn)', '%d' % po['node_start_pfn']))
    L.append(('OFFSET(pglist_data.node_spanned_pages)', '%d' % po['node_spanned_pages']))
    L.append(('OFFSET(pglist_data.node_id)', '%d' % po['node_id']))
    zo = p.zone_off
    L.append(('OFFSET(zone.free_area)', '%d' % zo['free_area']))
    L.append(('OFFSET(zone.%s)' % p.zone_free_key, '%d' % zo['vm_stat']))
    L.append(('OFFSET(zone.spanned_pages)', '%d' % zo['spanned_pages']))
    L.append(('OFFSET(free_area.free_list)', '0'))
    L.append(('OFFSET(list_head.next)', '0'))
    L.append(('OFFSET(list_head.prev)', '8'))
    if 'vmlist' in K:
        L.append(('OFFSET(vm_struct.addr)', '8'))
    if 'vmap_area_list' in K:
        L.append(('OFFSET(vmap_area.va_start)', '0'))
        L.append(('OFFSET(vmap_area.list)', '40'))
    L.append(('LENGTH(zone.free_area)', '%d' % p.max_order))
    # log_buf_kexec_setup() / log_buf_vmcoreinfo_setup() (kernel/printk)
    if v >= (5, 10, 0):
        sym('prb', g.sym['prb'])
        sym('printk_rb_static', g.sym['printk_rb_static'])
        sym('clear_seq', g.sym['clear_seq'])
        for k, val in p.printk_keys:
            if k.startswith(('SIZE(latched_seq)', 'OFFSET(latched_seq')) and v < (5, 13, 0):
                continue
            L.append((k, val))
    elif v >= (3, 5, 0):
        st = 'printk_log' if v >= (3, 11, 0) else 'log'
        sym('log_buf', g.sym['log_buf'])
        sym('log_buf_len', g.sym['log_buf_len'])
        sym('log_first_idx', g.sym['log_first_idx'])
        if v >= (4, 5, 0):
            sym('clear_idx', g.sym['clear_idx'])
        sym('log_next_idx', g.sym['log_next_idx'])
        L.append(('SIZE(%s)' % st, '16'))
        L.append(('OFFSET(%s.ts_nsec)' % st, '0'))
        L.append(('OFFSET(%s.len)' % st, '8'))
        L.append(('OFFSET(%s.text_len)' % st, '10'))
        L.append(('OFFSET(%s.dict_len)' % st, '12'))
    elif v >= (2, 6, 35):
        sym('log_buf', g.sym['log_buf'])
        sym('log_end', g.sym['log_end'])
        sym('log_buf_len', g.sym['log_buf_len'])
        sym('logged_chars', g.sym['logged_chars'])
    L.append(('LENGTH(free_area.free_list)', '%d' % p.migrate_types))
    num('NR_FREE_PAGES', 0)
    pg = p.pg
    if 'PG_lru3' in K:
        num('PG_lru', pg['lru'])
        num('PG_private', pg['private'])
        num('PG_swapcache', pg['swapcache'])
    if 'PG_swapbacked' in K:
        num('PG_swapbacked', pg['swapbacked'])
    if 'PG_slab' in K:
        num('PG_slab', pg['slab'])
    if 'PAGE_SLAB' in K:
        num_t('PAGE_SLAB_MAPCOUNT_VALUE', p.page_type['slab'])
    if 'PG_hwpoison' in K:
        num('PG_hwpoison', pg['hwpoison'])
    if 'PG_head_mask' in K:
        num('PG_head_mask', 1 << pg['head'])
    if 'PAGE_BUDDY' in K:
        num_t('PAGE_BUDDY_MAPCOUNT_VALUE', p.page_type['buddy'])
    if 'KERNEL_IMAGE_SIZE_generic' in K:
        num('KERNEL_IMAGE_SIZE', KERNEL_IMAGE_SIZE)
    if 'free_huge_page' in K:
        sym('free_huge_page', g.sym['free_huge_page'])
    if 'HUGETLB_PAGE_DTOR' in K:
        num('HUGETLB_PAGE_DTOR', p.dtor['hugetlb'])
    if 'PG_hugetlb' in K:
        num('PG_hugetlb', pg['hugetlb'])
    if 'PAGE_HUGETLB' in K:
        num_t('PAGE_HUGETLB_MAPCOUNT_VALUE', p.page_type['hugetlb'])
    if 'PAGE_OFFLINE' in K:
        num_t('PAGE_OFFLINE_MAPCOUNT_VALUE', p.page_type['offline'])
    if 'PAGE_UNACCEPTED' in K:
        num_t('PAGE_UNACCEPTED_MAPCOUNT_VALUE', p.page_type['unaccepted'])
    if 'kallsyms' in K:
        for k in ('kallsyms_names', 'kallsyms_num_syms', 'kallsyms_token_table',
                  'kallsyms_token_index', 'kallsyms_offsets', 'kallsyms_relative_base'):
            if k == 'kallsyms_relative_base' and v >= (7, 0, 0):
                continue
            sym(k, g.sym[k])
    # arch_crash_save_vmcoreinfo() (x86_64)
    if p.phys_base_key == 'symbol':
        sym('phys_base', g.sym['phys_base'])
    elif p.phys_base_key == 'number':
        num('phys_base', g.phys_base)
    sym(p.pgd_symbol, g.sym['init_top_pgt'])
    if 'pgtable_l5_enabled' in K:
        L.append(('NUMBER(pgtable_l5_enabled)', '%d' % (1 if g.paging == 5 else 0)))
    if g.numa:
        sym('node_data', g.sym['node_data'])
        L.append(('LENGTH(node_data)', '%d' % g.max_numnodes))
    if 'KERNELOFFSET' in K:
        L.append(('KERNELOFFSET', '%x' % g.kaslr))
    if 'KERNEL_IMAGE_SIZE_arch' in K:
        num('KERNEL_IMAGE_SIZE', KERNEL_IMAGE_SIZE)
    if 'sme_mask' in K:
        num('sme_mask', g.sme_mask)
    # crash_save_vmcoreinfo() at crash time
    L.append(('CRASHTIME', '%d' % g.crashtime))
    return L


def _vmcoreinfo_dwarf(g):
    """For kernels without VMCOREINFO (before 2.6.24): the KEY=VALUE lines a
    `makedumpfile -g FILE -x vmlinux` run writes for them (its
    generate_vmcoreinfo()): symbols, sizes, offsets and array lengths found
    in the debug info.  PG_* are #defines there (no enum pageflags before
    2.6.26) and the buddy marker is not a constant, so no NUMBER()s for
    them."""
    p = g.profile
    o = p.page_off
    L = [('OSRELEASE', g.osrelease), ('PAGESIZE', '%d' % PAGE_SIZE)]

    def sym(name, val):
        L.append(('SYMBOL(%s)' % name, '%x' % val))
    if not g.numa:
        sym('mem_map', g.sym['mem_map'])
    if g.sparse:
        sym('mem_section', g.sym['mem_section'])
    sym('system_utsname' if p.version < (2, 6, 19) else 'init_uts_ns', g.sym['init_uts_ns'])
    sym('_stext', g.sym['_stext'])
    sym('swapper_pg_dir', g.sym['init_top_pgt'])
    sym('init_level4_pgt', g.sym['init_top_pgt'])
    sym('vmlist', g.sym['vmlist'])
    sym('node_online_map', g.sym['node_online_map'])
    if g.numa:
        sym('node_data', g.sym['node_data'])
    else:
        sym('contig_page_data', g.sym['contig_page_data'])
    s = p.sizes
    L.append(('SIZE(page)', '%d' % p.struct_page_size))
    if g.sparse:
        L.append(('SIZE(mem_section)', '%d' % g.mem_section_size))
    L.append(('SIZE(pglist_data)', '%d' % s['pglist_data']))
    L.append(('SIZE(zone)', '%d' % s['zone']))
    L.append(('SIZE(free_area)', '%d' % s['free_area']))
    L.append(('SIZE(list_head)', '16'))
    L.append(('SIZE(nodemask_t)', '%d' % s['nodemask_t']))
    L.append(('OFFSET(page.flags)', '%d' % o['flags']))
    L.append(('OFFSET(page._count)', '%d' % o['count']))
    L.append(('OFFSET(page.mapping)', '%d' % o['mapping']))
    L.append(('OFFSET(page.lru)', '%d' % o['lru']))
    L.append(('OFFSET(page._mapcount)', '%d' % o['mapcount']))
    L.append(('OFFSET(page.private)', '%d' % o['private']))
    if g.sparse:
        L.append(('OFFSET(mem_section.section_mem_map)', '0'))
    po = p.pgdat_off
    L.append(('OFFSET(pglist_data.node_zones)', '%d' % po['node_zones']))
    L.append(('OFFSET(pglist_data.nr_zones)', '%d' % po['nr_zones']))
    if not g.sparse:
        L.append(('OFFSET(pglist_data.node_mem_map)', '%d' % po['node_mem_map']))
    L.append(('OFFSET(pglist_data.node_start_pfn)', '%d' % po['node_start_pfn']))
    L.append(('OFFSET(pglist_data.node_spanned_pages)', '%d' % po['node_spanned_pages']))
    zo = p.zone_off
    L.append(('OFFSET(zone.%s)' % p.zone_free_key, '%d' % zo['vm_stat']))
    L.append(('OFFSET(zone.free_area)', '%d' % zo['free_area']))
    L.append(('OFFSET(zone.spanned_pages)', '%d' % zo['spanned_pages']))
    L.append(('OFFSET(free_area.free_list)', '0'))
    L.append(('OFFSET(list_head.next)', '0'))
    L.append(('OFFSET(list_head.prev)', '8'))
    L.append(('OFFSET(vm_struct.addr)', '8'))
    L.append(('LENGTH(zone.free_area)', '%d' % p.max_order))
    if g.sparse:
        L.append(('LENGTH(mem_section)', '%d' % g.nr_section_roots))
    if g.numa:
        L.append(('LENGTH(node_data)', '%d' % g.max_numnodes))
    if p.migrate_types > 1:
        L.append(('LENGTH(free_area.free_list)', '%d' % p.migrate_types))
    return L


_PRINTK_KEYS_6_1 = [
    ('SIZE(printk_ringbuffer)', '88'),
    ('OFFSET(printk_ringbuffer.desc_ring)', '0'),
    ('OFFSET(printk_ringbuffer.text_data_ring)', '48'),
    ('OFFSET(printk_ringbuffer.fail)', '80'),
    ('SIZE(prb_desc_ring)', '48'),
    ('OFFSET(prb_desc_ring.count_bits)', '0'),
    ('OFFSET(prb_desc_ring.descs)', '8'),
    ('OFFSET(prb_desc_ring.infos)', '16'),
    ('OFFSET(prb_desc_ring.head_id)', '24'),
    ('OFFSET(prb_desc_ring.tail_id)', '32'),
    ('SIZE(prb_desc)', '24'),
    ('OFFSET(prb_desc.state_var)', '0'),
    ('OFFSET(prb_desc.text_blk_lpos)', '8'),
    ('SIZE(prb_data_blk_lpos)', '16'),
    ('OFFSET(prb_data_blk_lpos.begin)', '0'),
    ('OFFSET(prb_data_blk_lpos.next)', '8'),
    ('SIZE(printk_info)', '88'),
    ('OFFSET(printk_info.seq)', '0'),
    ('OFFSET(printk_info.ts_nsec)', '8'),
    ('OFFSET(printk_info.text_len)', '16'),
    ('OFFSET(printk_info.caller_id)', '20'),
    ('OFFSET(printk_info.dev_info)', '24'),
    ('SIZE(dev_printk_info)', '64'),
    ('OFFSET(dev_printk_info.subsystem)', '0'),
    ('LENGTH(printk_info_subsystem)', '16'),
    ('OFFSET(dev_printk_info.device)', '16'),
    ('LENGTH(printk_info_device)', '48'),
    ('SIZE(prb_data_ring)', '32'),
    ('OFFSET(prb_data_ring.size_bits)', '0'),
    ('OFFSET(prb_data_ring.data)', '8'),
    ('OFFSET(prb_data_ring.head_lpos)', '16'),
    ('OFFSET(prb_data_ring.tail_lpos)', '24'),
    ('SIZE(atomic_long_t)', '8'),
    ('OFFSET(atomic_long_t.counter)', '0'),
    ('SIZE(latched_seq)', '24'),
    ('OFFSET(latched_seq.val)', '8'),
]

# ---------------------------------------------------------------------------
# Kernel generations (x86_64).  Every number below was read from the kernel
# sources of the version named in the comment (extracted trees and gdb
# `ptype /o` layouts in /tmp/eras, summarised in /tmp/eras/eras.md), not from
# any filter's tables.  era_facts(v) answers for any version from 2.6.15 on;
# `kernel X.Y` picks one.
# ---------------------------------------------------------------------------

def era_facts(v):
    """What a vanilla x86_64 kernel of version v (a (major, minor, patch)
    tuple) looks like, for a distro-like config (SMP, NUMA, SLUB,
    MEMORY_FAILURE, X86_PAT, HUGETLBFS, THP, MEMCG, no debug options)."""
    v = tuple(v)
    if v < (2, 6, 15):
        return None
    E = {'version': v}
    # -- struct page (include/linux/mm_types.h; mm.h before 2.6.20) --------
    if v < (3, 1, 0):
        # 2.6.16 .. 3.0: flags 0, _count 8, _mapcount 12, private 16,
        # mapping 24, index 32, lru 40 (/tmp/eras/off/<v>/page.txt)
        E['layout'] = '2.6'
        E['size'] = 64 if (2, 6, 25) <= v < (2, 6, 28) else 56   # page_cgroup @56
        off = dict(flags=0, count=8, mapcount=12, private=16, mapping=24,
                   index=32, lru=40)
    elif v < (4, 18, 0):
        # 3.1 .. 4.17: mapping moved to 8, counters at 24 (SLUB cmpxchg),
        # aligned to 16 bytes (CMPXCHG_LOCAL / HAVE_ALIGNED_STRUCT_PAGE)
        E['layout'] = '3.1'
        E['size'] = 64
        off = dict(flags=0, mapping=8, index=16, mapcount=24, count=28, lru=32,
                   private=48)
    else:
        # 4.18+: lru 8, mapping 24, index 32, private 40, _mapcount/page_type
        # 48, _refcount 52, memcg 56
        E['layout'] = '4.18'
        E['size'] = 64
        off = dict(flags=0, lru=8, mapping=24, index=32, private=40,
                   mapcount=48, count=52, memcg=56)
    E['count_name'] = '_refcount' if v >= (4, 7, 0) else '_count'
    # compound pages: where a tail points at its head, where order/dtor live
    if v < (2, 6, 16):
        # 2.6.15 mm/page_alloc.c prep_compound_page: page[1].index = order,
        # page[1].mapping = destructor (free_huge_page for hugetlbfs)
        E['compound'] = 'pg_compound'
        off['order'], off['dtor'] = off['index'], off['mapping']
        E['order_w'] = E['dtor_w'] = 8
    elif v < (2, 6, 26):
        E['compound'] = 'pg_compound'    # PG_compound on head and tails, private=head
        off['order'], off['dtor'] = off['lru'] + 8, off['lru']       # page[1].lru.prev/.next
        E['order_w'] = E['dtor_w'] = 8
    elif v < (4, 4, 0):
        E['compound'] = 'head_tail'      # PG_head / PG_tail, first_page in private
        off['order'], off['dtor'] = off['lru'] + 8, off['lru']
        E['order_w'] = E['dtor_w'] = 8
    elif v < (6, 6, 0):
        E['compound'] = 'compound_head'  # page[1].compound_head = head|1
        off['compound_head'] = off['lru']
        if v < (4, 16, 0):               # unsigned int compound_dtor@40, order@44
            off['dtor'], off['order'] = 40, 44
            E['order_w'] = E['dtor_w'] = 4
        elif v < (4, 18, 0):             # unsigned char @40/@41
            off['dtor'], off['order'] = 40, 41
            E['order_w'] = E['dtor_w'] = 1
        else:                            # @16/@17 (folio._folio_dtor/_order 80/81 in 6.3-6.5)
            off['dtor'], off['order'] = 16, 17
            E['order_w'] = E['dtor_w'] = 1
    else:
        E['compound'] = 'flags1'         # order = low byte of page[1].flags (folio._flags_1)
        off['compound_head'] = off['lru']
        E['order_w'] = E['dtor_w'] = None
    E['compound_info_mask'] = v >= (7, 1, 0)   # 7.1 compound_info = mask|1 (HVO)
    E['off'] = off
    # compound_dtor ids (enum compound_dtor_id, 4.4-6.5): NULL 0, COMPOUND 1,
    # HUGETLB 2, TRANSHUGE 3 (4.5+)
    if (4, 4, 0) <= v < (6, 6, 0):
        E['dtor_ids'] = dict(compound=1, hugetlb=2, transhuge=3 if v >= (4, 5, 0) else 1)
    else:
        E['dtor_ids'] = None
    # -- PG_* (enum pageflags / #defines, include/linux/page-flags.h) --------
    pg = dict(locked=0, referenced=2, uptodate=3, dirty=4, lru=5, active=6,
              slab=7, owner_priv_1=8, arch_1=9, reserved=10, private=11)
    if v < (2, 6, 26):
        pg.update(writeback=12, compound=14, swapcache=15, reclaim=17)
        if v >= (2, 6, 17):
            pg['buddy'] = 19
    elif v < (2, 6, 30):
        pg.update(writeback=12, head=13, tail=14, swapcache=15, buddy=18)
        if v >= (2, 6, 28):
            pg['swapbacked'] = 19
    elif v < (2, 6, 38):
        pg.update(private_2=12, writeback=13, head=14, tail=15, swapcache=16,
                  buddy=19, swapbacked=20)
        if v >= (2, 6, 32):
            pg['hwpoison'] = 24
    elif v < (4, 4, 0):
        pg.update(private_2=12, writeback=13, head=14, tail=15, swapcache=16,
                  swapbacked=19, hwpoison=23)
    elif v < (4, 10, 0):
        pg.update(private_2=12, writeback=13, head=14, swapcache=15,
                  swapbacked=18, hwpoison=22)
    elif v < (4, 20, 0):
        pg = dict(locked=0, error=1, referenced=2, uptodate=3, dirty=4, lru=5,
                  active=6, waiters=7, slab=8, owner_priv_1=9, arch_1=10,
                  reserved=11, private=12, private_2=13, writeback=14, head=15,
                  swapbacked=18, hwpoison=22)
        pg['swapcache'] = pg['owner_priv_1']
    elif v < (6, 6, 0):
        pg = dict(locked=0, referenced=1, uptodate=2, dirty=3, lru=4, active=5,
                  workingset=6, waiters=7, error=8, slab=9, owner_priv_1=10,
                  arch_1=11, reserved=12, private=13, private_2=14,
                  writeback=15, head=16, swapbacked=19, hwpoison=23)
        pg['swapcache'] = pg['owner_priv_1']
    elif v < (6, 10, 0):
        # 6.6 reorder: writeback 1, head 6 (6.6.9, 6.8.1, 6.9 trees)
        pg = dict(locked=0, writeback=1, referenced=2, uptodate=3, dirty=4,
                  lru=5, head=6, waiters=7, active=8, workingset=9, error=10,
                  slab=11, owner_priv_1=12, arch_1=13, reserved=14,
                  private=15, private_2=16, swapbacked=19, hwpoison=23)
        pg['swapcache'] = pg['owner_priv_1']
        if v < (6, 9, 0):
            pg['hugetlb'] = 8            # PG_hugetlb = PG_active, in page[1].flags
    elif v < (6, 12, 0):
        pg = dict(locked=0, writeback=1, referenced=2, uptodate=3, dirty=4,
                  lru=5, head=6, waiters=7, active=8, workingset=9, error=10,
                  owner_priv_1=11, arch_1=12, reserved=13, private=14,
                  private_2=15, swapbacked=18, hwpoison=22)
        pg['swapcache'] = pg['owner_priv_1']
    else:
        pg = dict(locked=0, writeback=1, referenced=2, uptodate=3, dirty=4,
                  lru=5, head=6, waiters=7, active=8, workingset=9,
                  owner_priv_1=10, owner_2=11, arch_1=12, reserved=13,
                  private=14, private_2=15, swapbacked=17,
                  hwpoison=21 if v >= (6, 14, 0) else 20)
        pg['swapcache'] = pg['owner_priv_1']
    E['pg'] = pg
    E['head_bit'] = pg.get('head', pg.get('compound'))
    # -- free blocks and page types (mm/page_alloc.c, mm/internal.h,
    #    include/linux/mm.h, include/linux/page-flags.h) ----------------------
    M = lambda x: x & 0xffffffff
    types = dict(offline=None, slab=None, hugetlb=None, unaccepted=None)
    if v < (2, 6, 17):
        E['free_marker'] = 'private_count'   # PagePrivate && page_count()==0 (raw -1)
        E['buddy_value'] = None
    elif v < (2, 6, 38):
        E['free_marker'] = 'pg_buddy'
        E['buddy_value'] = None
    else:
        E['free_marker'] = 'mapcount'
        if v < (2, 6, 39):
            E['buddy_value'] = M(-2)
        elif v < (4, 18, 0):
            E['buddy_value'] = M(-128)
        elif v < (6, 11, 0):
            E['buddy_value'] = M(~0x80)
            if v >= (5, 1, 0):
                types['offline'] = M(~0x100)
            if v >= (6, 9, 0):
                types['hugetlb'] = M(~0x800)
            if v >= (6, 10, 0):
                types['slab'] = M(~0x1000)
        elif v < (6, 12, 0):
            E['buddy_value'] = M(~0x40000000)
            types.update(offline=M(~0x20000000), hugetlb=M(~0x04000000),
                         slab=M(~0x02000000))
        else:
            E['buddy_value'] = 0xf0000000
            types.update(offline=0xf1000000, hugetlb=0xf4000000, slab=0xf5000000,
                         unaccepted=0xf7000000)
    E['types'] = types
    E['slab_style'] = 'type' if v >= (6, 10, 0) else 'flag'
    if v >= (6, 9, 0):
        E['hugetlb_style'] = 'type'
    elif v >= (6, 6, 0):
        E['hugetlb_style'] = 'flag'
    elif v >= (4, 4, 0):
        E['hugetlb_style'] = 'dtor_id'
    else:
        E['hugetlb_style'] = 'dtor_ptr'
    E['thp'] = v >= (2, 6, 38)
    # 4.5+: tail pages' mapping = TAIL_MAPPING (0x400 + POISON_POINTER_DELTA)
    E['tail_mapping'] = 0xdead000000000400 if v >= (4, 5, 0) else 0
    # -- zones ---------------------------------------------------------------
    E['max_order'] = 11
    E['migrate_types'] = 1 if v < (2, 6, 24) else 5 if v < (4, 18, 0) else 6
    E['zone_free_key'] = 'free_pages' if v < (2, 6, 21) else 'vm_stat'
    # -- memory layout (arch/x86/include/asm/{page,pgtable,sparsemem}_64*.h) --
    E['section_size_bits'] = 27
    E['max_physmem_bits'] = 40 if v < (2, 6, 26) else 44 if v < (2, 6, 31) else 46
    E['page_offset'] = (0xffff810000000000 if v < (2, 6, 27) else
                        0xffff880000000000 if v < (4, 19, 0) else 0xffff888000000000)
    E['vmemmap'] = v >= (2, 6, 24)
    E['vmemmap_base'] = 0xffffe20000000000 if v < (2, 6, 31) else 0xffffea0000000000
    E['mem_section_size'] = 8 if v < (2, 6, 24) else 16 if v < (4, 19, 0) else 32
    E['mem_section_ptr'] = v >= (4, 15, 0)       # SYMBOL_ARRAY: the root pointer's value
    E['section_flags'] = (SECTION_MARKED_PRESENT | SECTION_HAS_MEM_MAP |
                          (SECTION_IS_ONLINE if v >= (4, 17, 0) else 0) |
                          (SECTION_IS_EARLY if v >= (5, 4, 0) else 0))
    E['pgd_symbol'] = 'init_level4_pgt' if v < (4, 13, 0) else 'init_top_pgt'
    E['phys_base'] = None if v < (2, 6, 25) else 'symbol' if v < (4, 10, 0) else 'number'
    E['has_vmcoreinfo'] = v >= (2, 6, 24)
    E['last_cpupid'] = v >= (3, 8, 0)
    return E


def vmcoreinfo_keys_for(v):
    """Which optional VMCOREINFO keys version v exports (eras.md §5)."""
    v = tuple(v)
    K = set()

    def add(cond, *keys):
        if cond:
            K.update(keys)
    add(v >= (2, 6, 25), 'phys_base')
    add(v >= (2, 6, 26), 'PG_lru3')
    add((2, 6, 28) <= v < (3, 10, 0), 'vmlist')
    add((3, 10, 0) <= v < (6, 9, 0), 'vmap_area_list')
    add(v >= (3, 10, 0), 'mapcount_private', 'PG_hwpoison', 'PAGE_BUDDY')
    add((3, 10, 0) <= v < (6, 10, 0), 'PG_slab')
    add(v >= (6, 10, 0), 'PAGE_SLAB')
    add(v >= (4, 3, 0), 'KERNELOFFSET', 'PG_head_mask')
    add((4, 3, 0) <= v < (4, 5, 0), 'free_huge_page', 'KERNEL_IMAGE_SIZE_generic')
    add((4, 5, 0) <= v < (4, 10, 0), 'KERNEL_IMAGE_SIZE_generic')
    add(v >= (4, 10, 0), 'KERNEL_IMAGE_SIZE_arch')
    add((4, 5, 0) <= v < (6, 3, 0), 'compound_page')
    add((6, 3, 0) <= v < (6, 6, 0), 'compound_folio')
    add(v >= (4, 5, 0), 'compound_head')
    add((4, 5, 0) <= v < (6, 6, 0), 'HUGETLB_PAGE_DTOR')
    add((6, 6, 0) <= v < (6, 9, 0), 'PG_hugetlb')
    add(v >= (6, 9, 0), 'PAGE_HUGETLB', 'VMALLOC_START', 'vmemmap')
    add(v >= (4, 17, 0), 'PG_swapbacked', 'pgtable_l5_enabled')
    add(v >= (5, 1, 0), 'PAGE_OFFLINE')
    add(v >= (5, 0, 0), 'sme_mask')
    add(v >= (5, 9, 0), 'MAX_PHYSMEM_BITS')
    add(v >= (5, 11, 0), 'BUILD-ID', 'uts_namespace')
    add(v >= (5, 14, 0), 'SECTION_SIZE_BITS')
    add(v >= (6, 0, 0), 'kallsyms')
    add(v >= (6, 16, 0), 'PAGE_UNACCEPTED')
    return K


# Representative versions, one per era at least (tests/gen/cases/era_*.desc).
KNOWN_KERNELS = ('2.6.16', '2.6.18', '2.6.28', '2.6.32', '2.6.38', '3.0', '3.10',
                 '4.4', '4.19', '5.10', '6.1', '6.4', '6.8', '6.10', '6.11', '6.12',
                 '6.16', '7.1')


def make_profile(name):
    """Profile for `kernel NAME` (X.Y or X.Y.Z, 2.6.15 .. 7.1)."""
    ver = release_version(name)
    if ver is None or name != '.'.join(str(x) for x in ver[:len(name.split('.'))]):
        raise GenError('bad kernel version %r' % name)
    E = era_facts(ver)
    if E is None or ver > (7, 1, 255):
        raise GenError('kernel %s is outside the modelled range 2.6.15-7.1' % name)
    pg = dict(E['pg'])
    if 'head' not in pg:
        pg['head'] = pg['compound']      # PG_compound marks heads (and tails) before 2.6.26
    M = lambda x: x & 0xffffffff
    page_type = dict(buddy=E['buddy_value'], **E['types'])
    off = dict(E['off'])
    off['_mapcount'] = off['mapcount']
    if E['dtor_ids']:
        dtor = dict(null=0, **E['dtor_ids'])
    else:
        dtor = dict(null=0, compound=1, hugetlb=2, transhuge=3)
    mt = E['migrate_types']
    return Profile(
        name=name, version=ver, era=E,
        osrelease='%s%s-gen-amd64' % (name, '.0' if len(name.split('.')) == 2 else ''),
        vmcoreinfo=_vmcoreinfo_era, keys=vmcoreinfo_keys_for(ver),
        struct_page_size=E['size'], page_off=off, count_name=E['count_name'],
        pg=pg, page_type=page_type, dtor=dtor,
        max_order=E['max_order'], migrate_types=mt, max_numnodes=1024,
        section_size_bits=E['section_size_bits'],
        default_mem_section_size=E['mem_section_size'],
        tail_mapping=E['tail_mapping'],
        sizes=dict(pglist_data=175168, zone=1728, free_area=mt * 16 + 8, nodemask_t=128),
        pgdat_off=dict(node_zones=0, nr_zones=172512, node_mem_map=172504,
                       node_start_pfn=172520, node_present_pages=172528,
                       node_spanned_pages=172536, node_id=172544),
        zone_off=dict(spanned_pages=144, present_pages=152, free_area=256,
                      vm_stat=1536, name=208),
        zone_free_key=E['zone_free_key'],
        nr_zones_max=5,
        flags_layout_vmemmap=(dict(node=(54, 10), zone=(51, 3), cpupid=(30, 21))
                              if E['last_cpupid'] else dict(node=(54, 10), zone=(51, 3))),
        flags_layout_classic=dict(section=(45, 19), node=(35, 10), zone=(32, 3)),
        printk_keys=_PRINTK_KEYS_6_1,
        phys_base_key=E['phys_base'], pgd_symbol=E['pgd_symbol'],
        has_vmcoreinfo=E['has_vmcoreinfo'],
        default_max_physmem_bits=E['max_physmem_bits'],
        default_page_offset=E['page_offset'],
        default_vmemmap=E['vmemmap'], default_vmemmap_base=E['vmemmap_base'],
        mem_section_ptr=E['mem_section_ptr'], section_flags=E['section_flags'],
        M=M,
    )


class _Profiles(dict):
    """PROFILES['X.Y'] builds the profile on first use."""
    def __missing__(self, key):
        p = self[key] = make_profile(key)
        return p

    def __contains__(self, key):
        try:
            self[key]
        except GenError:
            return False
        return True


PROFILES = _Profiles()


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------

def _signed64(v):
    v &= MASK64
    return v - (1 << 64) if v >> 63 else v


_SUFFIX = {'k': 1 << 10, 'm': 1 << 20, 'g': 1 << 30, 't': 1 << 40}


def parse_int(s):
    """Integer: decimal, 0x-hex, optional K/M/G/T suffix (binary), leading '-'."""
    t = s.strip().lower().replace('_', '')
    neg = t.startswith('-')
    if neg:
        t = t[1:]
    mult = 1
    if t and t[-1] in _SUFFIX and not t.startswith('0x'):
        mult = _SUFFIX[t[-1]]
        t = t[:-1]
    elif t.startswith('0x') and t[-1] in 'mgt' and len(t) > 3:
        # 0x10M is not allowed (ambiguous with hex digits only for k? no); keep simple
        raise GenError('bad number %r (no suffix on hex)' % s)
    try:
        v = int(t, 0) * mult
    except ValueError:
        raise GenError('bad number %r' % s)
    return -v if neg else v


def parse_addr_range(s):
    """'A-B' or 'A+SIZE' -> (start, end_exclusive) in bytes.  In 'A-B', B is
    exclusive when page aligned and inclusive when B+1 is page aligned."""
    if '+' in s:
        a, n = s.split('+', 1)
        a, n = parse_int(a), parse_int(n)
        return a, a + n
    if '-' in s:
        a, b = s.split('-', 1)
        a, b = parse_int(a), parse_int(b)
        if b % PAGE_SIZE == 0:
            return a, b
        if (b + 1) % PAGE_SIZE == 0:
            return a, b + 1
        raise GenError('range end %#x is neither page aligned (exclusive) nor '
                       'page aligned minus one (inclusive)' % b)
    a = parse_int(s)
    return a, a + PAGE_SIZE


def parse_pfn_range(s):
    """'P', 'P-Q' (inclusive) or 'P+N' -> (start, end_exclusive) pfns."""
    if '+' in s:
        a, n = s.split('+', 1)
        a, n = parse_int(a), parse_int(n)
        return a, a + n
    if '-' in s:
        a, b = s.split('-', 1)
        return parse_int(a), parse_int(b) + 1
    a = parse_int(s)
    return a, a + 1


def to_ranges(pfns):
    """Iterable of ints -> sorted list of [start, end_exclusive]."""
    out = []
    for p in sorted(set(pfns)):
        if out and out[-1][1] == p:
            out[-1][1] = p + 1
        else:
            out.append([p, p + 1])
    return out


def from_ranges(ranges):
    s = set()
    for a, b in ranges:
        s.update(range(a, b))
    return s


def _align_down(v, a):
    return v - (v % a)


def _align_up(v, a):
    return -(-v // a) * a


# ---------------------------------------------------------------------------
# description parsing
# ---------------------------------------------------------------------------

CLASSES = ('free', 'cache', 'cache_private', 'swapcache', 'anon',
           'anon_swapcache', 'slab', 'hugetlb', 'thp', 'offline', 'hwpoison',
           'zero', 'kernel', 'reserved', 'owner_priv', 'unaccepted')
COMPOUND_OK = ('cache', 'cache_private', 'anon', 'slab', 'hugetlb', 'thp', 'kernel')
CONTENT_MODES = ('zero', 'random', 'text', 'pattern')
ELF_OPTS = ('phoff', 'xnum', 'unaligned', 'filesz_short', 'overlap',
            'no_kernel_text', 'phys_vaddr', 'ehsize', 'split')


class Spec:
    def __init__(self):
        self.kernel = '6.1'
        self.osrelease = None
        self.paging = 4
        self.memory = []               # [(start, end)]
        self.memmap = 'sparse_extreme'
        self.vmemmap_pages = None          # 2M, or none before 2.6.24
        self.vmemmap_populate = None
        self.direct_map_pages = '2M'
        self.kaslr = 0
        self.page_offset = None
        self.vmemmap_base = None
        self.kernel_phys = None
        self.kernel_size = None
        self.sme_mask = 0
        self.mem_section_size = None
        self.max_physmem_bits = None
        self.numa = None
        self.cpus = 2
        self.crashtime = 1700000000
        self.seed = 1
        self.default = 'kernel'
        self.contents = []             # [(pfn_start, pfn_end, mode)]
        self.pages = []                # [dict(start, end, cls, opts, line)]
        self.drop_keys = []
        self.keep_keys = None          # only these VMCOREINFO lines (and CRASHTIME)
        self.set_keys = []             # [(key, value)]
        self.elf = {}
        self.lines = []


def _kv_opts(tokens, lineno):
    opts = {}
    for t in tokens:
        if '=' in t:
            k, v = t.split('=', 1)
            opts[k] = v
        else:
            opts[t] = True
    return opts


def parse_description(text):
    sp = Spec()
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split('#', 1)[0].strip()
        if not line:
            continue
        sp.lines.append(line)
        tok = line.split()
        d, args = tok[0].lower(), tok[1:]

        def need(n):
            if len(args) < n:
                raise GenError('line %d: %s needs %d argument(s)' % (lineno, d, n))
        try:
            if d == 'kernel':
                need(1)
                if args[0] not in PROFILES:
                    raise GenError('unknown kernel profile %r (2.6.15-7.1; cases use %s)'
                                   % (args[0], ', '.join(KNOWN_KERNELS)))
                sp.kernel = args[0]
            elif d == 'osrelease':
                need(1)
                sp.osrelease = args[0]
            elif d == 'paging':
                need(1)
                sp.paging = int(args[0])
                if sp.paging not in (4, 5):
                    raise GenError('paging must be 4 or 5')
            elif d == 'memory':
                need(1)
                for a in args:
                    sp.memory.append(parse_addr_range(a))
            elif d == 'memmap':
                need(1)
                if args[0] not in ('sparse_extreme', 'sparse', 'discontig', 'flat'):
                    raise GenError('memmap must be sparse_extreme, sparse, discontig or flat')
                sp.memmap = args[0]
            elif d == 'vmemmap_pages':
                need(1)
                v = args[0].upper()
                if v not in ('4K', '2M', '1G', 'NONE'):
                    raise GenError('vmemmap_pages must be 4K, 2M, 1G or none')
                sp.vmemmap_pages = v if v != 'NONE' else 'none'
            elif d == 'vmemmap_populate':
                need(1)
                if args[0] not in ('subsection', 'section'):
                    raise GenError('vmemmap_populate must be subsection or section')
                sp.vmemmap_populate = args[0]
            elif d == 'direct_map_pages':
                need(1)
                v = args[0].upper()
                if v not in ('2M', '1G'):
                    raise GenError('direct_map_pages must be 2M or 1G')
                sp.direct_map_pages = v
            elif d == 'kaslr':
                need(1)
                sp.kaslr = parse_int(args[0])
                o = _kv_opts(args[1:], lineno)
                if 'page_offset' in o:
                    sp.page_offset = parse_int(o['page_offset'])
                if 'vmemmap' in o:
                    sp.vmemmap_base = parse_int(o['vmemmap'])
                if 'phys' in o:
                    sp.kernel_phys = parse_int(o['phys'])
                if sp.page_offset is None:
                    sp.page_offset = 'kaslr'
                if sp.vmemmap_base is None:
                    sp.vmemmap_base = 'kaslr'
            elif d == 'page_offset':
                need(1)
                sp.page_offset = parse_int(args[0])
            elif d == 'vmemmap_base':
                need(1)
                sp.vmemmap_base = parse_int(args[0])
            elif d == 'kernel_phys':
                need(1)
                sp.kernel_phys = parse_int(args[0])
            elif d == 'kernel_size':
                need(1)
                sp.kernel_size = parse_int(args[0])
            elif d == 'sme_mask':
                need(1)
                sp.sme_mask = parse_int(args[0])
            elif d == 'mem_section_size':
                need(1)
                sp.mem_section_size = int(args[0])
                if sp.mem_section_size not in (8, 16, 32):
                    raise GenError('mem_section_size must be 8, 16 or 32')
            elif d == 'max_physmem_bits':
                need(1)
                sp.max_physmem_bits = int(args[0])
            elif d == 'numa':
                need(1)
                sp.numa = args[0] in ('on', 'yes', '1', 'true')
            elif d == 'cpus':
                need(1)
                sp.cpus = int(args[0])
            elif d == 'crashtime':
                need(1)
                sp.crashtime = int(args[0])
            elif d == 'seed':
                need(1)
                sp.seed = int(args[0])
            elif d == 'default':
                need(1)
                if args[0] not in ('kernel', 'zero', 'reserved', 'free'):
                    raise GenError('default must be kernel, zero, reserved or free')
                sp.default = args[0]
            elif d == 'content':
                need(2)
                if args[0] == 'pfn':
                    need(3)
                    a, b = parse_pfn_range(args[1])
                    mode = args[2]
                else:
                    s, e = parse_addr_range(args[0])
                    a, b = s >> PAGE_SHIFT, _align_up(e, PAGE_SIZE) >> PAGE_SHIFT
                    mode = args[1]
                if mode not in CONTENT_MODES:
                    raise GenError('content mode must be one of %s' % ', '.join(CONTENT_MODES))
                sp.contents.append((a, b, mode))
            elif d in ('page', 'pfn'):
                need(2)
                if d == 'pfn':
                    a, b = parse_pfn_range(args[0])
                else:
                    s, e = parse_addr_range(args[0])
                    if s % PAGE_SIZE or e % PAGE_SIZE:
                        raise GenError('page range must be page aligned')
                    a, b = s >> PAGE_SHIFT, e >> PAGE_SHIFT
                cls = args[1]
                if cls not in CLASSES:
                    raise GenError('unknown class %r (have %s)' % (cls, ', '.join(CLASSES)))
                opts = _kv_opts(args[2:], lineno)
                sp.pages.append(dict(start=a, end=b, cls=cls, opts=opts, line=lineno))
            elif d == 'drop_key':
                need(1)
                sp.drop_keys.extend(args)
            elif d == 'keep_keys':
                need(1)
                sp.keep_keys = (sp.keep_keys or []) + args
            elif d == 'set_key':
                need(1)
                kv = ' '.join(args)
                if '=' not in kv:
                    raise GenError('set_key needs KEY=VALUE')
                k, v = kv.split('=', 1)
                sp.set_keys.append((k.strip(), v.strip()))
            elif d == 'elf':
                need(1)
                i = 0
                while i < len(args):
                    a = args[i]
                    if '=' in a:
                        k, v = a.split('=', 1)
                    else:
                        k, v = a, True
                        # positional value: 'filesz_short 0x3000', 'overlap A-B', 'split N'
                        if k in ('filesz_short', 'overlap', 'split', 'phoff', 'ehsize') and \
                                i + 1 < len(args) and '=' not in args[i + 1] and \
                                args[i + 1] not in ELF_OPTS:
                            v = args[i + 1]
                            i += 1
                    if k == 'seg':
                        sp.elf['filesz_short_seg'] = int(v)
                    elif k not in ELF_OPTS:
                        raise GenError('unknown elf option %r' % k)
                    else:
                        sp.elf[k] = v
                    i += 1
            else:
                raise GenError('unknown directive %r' % d)
        except GenError as e:
            if str(e).startswith('line '):
                raise
            raise GenError('line %d: %s' % (lineno, e))
    if not sp.memory:
        raise GenError('no memory ranges')
    return sp


# ---------------------------------------------------------------------------
# page tables
# ---------------------------------------------------------------------------

class PageTables:
    def __init__(self, gen, root_pa, levels):
        self.g = gen
        self.root = root_pa
        self.shifts = [48, 39, 30, 21, 12] if levels == 5 else [39, 30, 21, 12]
        self.sme = gen.sme_mask
        self.maps = []          # (va, pa, size) for the truth/meta

    def _rd(self, pa):
        return struct.unpack_from('<Q', self.g.meta_page(pa >> PAGE_SHIFT), pa & 0xfff)[0]

    def _wr(self, pa, v):
        struct.pack_into('<Q', self.g.meta_page(pa >> PAGE_SHIFT), pa & 0xfff, v)

    def map(self, va, pa, size, nx=True):
        assert va % size == 0 and pa % size == 0, (hex(va), hex(pa), size)
        table = self.root
        for shift in self.shifts:
            idx = (va >> shift) & 511
            ent_pa = table + idx * 8
            if size == 1 << shift:
                flags = PTE_LEAF if shift == 12 else PTE_LARGE
                if nx:
                    flags |= _PAGE_NX
                self._wr(ent_pa, pa | self.sme | flags)
                self.maps.append((va, pa, size))
                return
            e = self._rd(ent_pa)
            if e & _PAGE_PRESENT:
                if e & _PAGE_PSE:
                    raise GenError('page table conflict at va %#x' % va)
                table = e & 0x000ffffffffff000 & ~self.sme
            else:
                t = self.g.alloc_meta(1, label='pgtable')[0] << PAGE_SHIFT
                self._wr(ent_pa, t | self.sme | PTE_TABLE)
                table = t

    def translate(self, va):
        """Walk the tables like a reader would (used for self-checks)."""
        table = self.root
        for shift in self.shifts:
            e = self._rd(table + ((va >> shift) & 511) * 8)
            if not e & _PAGE_PRESENT:
                return None
            base = e & 0x000ffffffffff000 & ~self.sme
            if shift == 12 or e & _PAGE_PSE:
                return (base & ~((1 << shift) - 1)) + (va & ((1 << shift) - 1))
            table = base
        return None


# ---------------------------------------------------------------------------
# the generator
# ---------------------------------------------------------------------------

class Generator:
    def __init__(self, spec):
        self.spec = spec
        self.profile = PROFILES[spec.kernel]
        p = self.profile
        self.paging = spec.paging
        self.memmap = spec.memmap
        self.seed = spec.seed
        self.rng = random.Random(spec.seed * 7919 + 17)
        self.osrelease = spec.osrelease or p.osrelease
        self.build_id = hashlib.sha1(('vmcoregen-%d-%s' % (spec.seed, self.osrelease))
                                     .encode()).hexdigest()
        self.crashtime = spec.crashtime
        self.sme_mask = spec.sme_mask
        self.kaslr = spec.kaslr
        if self.kaslr % SZ_2M:
            raise GenError('kaslr offset must be 2 MiB aligned')
        self.sparse = self.memmap in ('sparse_extreme', 'sparse')
        self.numa = spec.numa if spec.numa is not None else (self.memmap != 'flat')
        if self.memmap == 'flat' and self.numa:
            raise GenError('flat memmap is only supported with numa off')
        if self.memmap == 'discontig' and not self.numa:
            raise GenError('discontig memmap needs numa on (node_data)')
        vp = spec.vmemmap_pages or ('2M' if p.default_vmemmap else 'none')
        self.vmemmap_pages = vp if self.sparse else 'none'
        self.spsz = p.struct_page_size
        if self.vmemmap_pages == 'none' and self.sparse:
            self.vmemmap = False
        else:
            self.vmemmap = self.sparse
        # MAX_NUMNODES: NODES_SHIFT 6 on the x86_64 kernels that had
        # DISCONTIGMEM (2.6.18, 2.6.24 arch Kconfig), 10 on distro kernels since
        self.max_numnodes = 64 if self.memmap == 'discontig' else p.max_numnodes
        self.mem_section_size = spec.mem_section_size or p.default_mem_section_size
        self.max_physmem_bits = spec.max_physmem_bits or (52 if self.paging == 5 else
                                                          p.default_max_physmem_bits)
        self.section_pfns = 1 << (p.section_size_bits - PAGE_SHIFT)
        nr_mem_sections = 1 << (self.max_physmem_bits - p.section_size_bits)
        if self.memmap == 'sparse_extreme':
            self.sections_per_root = PAGE_SIZE // self.mem_section_size
        else:
            self.sections_per_root = 1
        self.nr_mem_sections = nr_mem_sections
        self.nr_section_roots = -(-nr_mem_sections // self.sections_per_root)
        if self.paging == 5:
            dpo, dvm = 0xff11000000000000, 0xffd4000000000000
        else:
            dpo, dvm = p.default_page_offset, p.default_vmemmap_base
        rk = random.Random(spec.seed * 31 + 5)
        po = spec.page_offset
        if po == 'kaslr':
            po = dpo + rk.randrange(0x10, 0x3000) * SZ_1G if self.paging == 4 else \
                dpo + rk.randrange(0x10, 0x3000) * (SZ_1G << 9)
        self.page_offset = po if po is not None else dpo
        vb = spec.vmemmap_base
        if vb == 'kaslr':
            vb = (0xffffc90000000000 + rk.randrange(0x2000, 0x5000) * SZ_1G) if self.paging == 4 \
                else (0xffa0000000000000 + rk.randrange(0x10, 0x80) * (SZ_1G << 9))
        self.vmemmap_base = vb if vb is not None else dvm
        self.vmalloc_start = 0xffa0000000000000 if self.paging == 5 else 0xffffc90000000000
        self.meta = {}            # pfn -> bytearray: pages with constructed content
        self.meta_label = {}      # pfn -> label
        self.used = set()         # pfns not available for allocation
        self.sym = {}

    # ---------------- physical memory helpers ----------------

    def is_ram(self, pfn):
        for a, b in self.ram:
            if a <= pfn < b:
                return True
        return False

    def node_of(self, pfn):
        for n in self.nodes:
            if n['start'] <= pfn < n['end']:
                return n
        raise GenError('internal: pfn %#x is in no node' % pfn)

    def meta_page(self, pfn):
        pg = self.meta.get(pfn)
        if pg is None:
            if pfn not in self.meta_label:
                raise GenError('internal: write to non-metadata pfn %#x' % pfn)
            pg = self.meta[pfn] = bytearray(PAGE_SIZE)
        return pg

    def claim_meta(self, pfns, label):
        for p in pfns:
            if p in self.used:
                raise GenError('metadata (%s) would overlap pfn %#x already in use' % (label, p))
            if not self.is_ram(p):
                raise GenError('metadata (%s) at pfn %#x is not RAM' % (label, p))
            self.used.add(p)
            self.meta_label[p] = label

    def alloc_meta(self, n, align=1, label='meta', within=None):
        """memblock-like top-down allocation of n contiguous free RAM pfns
        (inside the pfn range `within`, e.g. a node, if given)."""
        ranges = self.ram
        if within is not None:
            ranges = [(max(a, within[0]), min(b, within[1])) for a, b in ranges
                      if max(a, within[0]) < min(b, within[1])]
        for a, b in sorted(ranges, reverse=True):
            cand = _align_down(b - n, align)
            while cand >= a:
                conflict = None
                for p in range(cand + n - 1, cand - 1, -1):
                    if p in self.used:
                        conflict = p
                        break
                if conflict is None:
                    pfns = list(range(cand, cand + n))
                    self.claim_meta(pfns, label)
                    return pfns
                cand = _align_down(conflict - n, align) if conflict >= n else -1
        raise GenError('out of free RAM for %s (%d pages, align %d); add RAM or '
                       'leave more pages undescribed' % (label, n, align))

    def wr(self, pa, data):
        off = 0
        while off < len(data):
            pfn, po = (pa + off) >> PAGE_SHIFT, (pa + off) & 0xfff
            n = min(PAGE_SIZE - po, len(data) - off)
            self.meta_page(pfn)[po:po + n] = data[off:off + n]
            off += n

    def wr64(self, pa, v):
        self.wr(pa, struct.pack('<Q', v & MASK64))

    def wr32(self, pa, v):
        self.wr(pa, struct.pack('<I', v & 0xffffffff))

    # address translation (generator's own view)
    def kimg_va_to_pa(self, va):
        return va - START_KERNEL_MAP + self.phys_base & MASK64

    def dm_va(self, pa):
        return self.page_offset + pa

    def page_va(self, pfn):
        """struct page address of pfn."""
        if self.memmap == 'flat':
            return self.flat_mem_map_va + pfn * self.spsz
        if self.memmap == 'discontig':
            n = self.node_of(pfn)
            return n['mem_map_va'] + (pfn - n['start']) * self.spsz
        if self.vmemmap:
            return self.vmemmap_base + pfn * self.spsz
        sec = pfn // self.section_pfns
        return self.classic_map_va[sec] + (pfn - sec * self.section_pfns) * self.spsz

    def page_pa(self, pfn):
        """physical address holding struct page of pfn (None if not backed)."""
        if self.memmap == 'flat':
            return self.flat_mem_map_pa + pfn * self.spsz
        if self.memmap == 'discontig':
            n = self.node_of(pfn)
            return n['mem_map_pa'] + (pfn - n['start']) * self.spsz
        if self.vmemmap:
            off = pfn * self.spsz
            vpage = off >> PAGE_SHIFT
            back = self.vmemmap_backing.get(vpage)
            if back is None:
                return None
            return (back << PAGE_SHIFT) + (off & 0xfff)
        sec = pfn // self.section_pfns
        base = self.classic_map_pa.get(sec)
        if base is None:
            return None
        return base + (pfn - sec * self.section_pfns) * self.spsz

    # ---------------- build steps ----------------

    def build(self):
        sp = self.spec
        # RAM
        ram = []
        for s, e in sp.memory:
            if s % PAGE_SIZE or e % PAGE_SIZE or e <= s:
                raise GenError('memory range %#x-%#x must be page aligned and non-empty' % (s, e))
            ram.append((s >> PAGE_SHIFT, e >> PAGE_SHIFT))
        ram.sort()
        for i in range(1, len(ram)):
            if ram[i][0] < ram[i - 1][1]:
                raise GenError('memory ranges overlap')
        self.ram = ram
        self.max_pfn = ram[-1][1]
        if (self.max_pfn << PAGE_SHIFT) > (1 << self.max_physmem_bits):
            raise GenError('RAM beyond MAX_PHYSMEM_BITS')
        self.ram_pfns = []
        for a, b in ram:
            self.ram_pfns.extend(range(a, b))
        self.ram_set = set(self.ram_pfns)
        # nodes: with DISCONTIGMEM one per RAM range, else one for everything
        if self.memmap == 'discontig':
            if len(ram) > self.max_numnodes:
                raise GenError('discontig: more RAM ranges (nodes) than MAX_NUMNODES %d'
                               % self.max_numnodes)
            self.nodes = [dict(nid=i, start=a, end=b) for i, (a, b) in enumerate(ram)]
        else:
            self.nodes = [dict(nid=0, start=0 if self.memmap == 'flat' else ram[0][0],
                               end=self.max_pfn)]
        # descriptions
        self.desc = {}          # pfn -> (run index, role, pos)
        self.runs = []
        for r in sp.pages:
            self._add_run(r)
        # kernel image
        self._place_kernel()
        # metadata
        self._alloc_memmap()
        self._alloc_mem_section()
        self._alloc_pgdat()
        self._build_page_tables()
        # everything else
        self._default_fill()
        self._build_struct_pages()
        self._build_free_lists()
        self._write_struct_pages()
        self._write_mem_section()
        self._write_kernel_data()
        self._self_check_translation()
        self.vmcoreinfo_lines = self._vmcoreinfo()
        self.vmcoreinfo = ''.join('%s=%s\n' % kv for kv in self.vmcoreinfo_lines)

    def _add_run(self, r):
        a, b, cls, opts = r['start'], r['end'], r['cls'], r['opts']
        for pfn in (a, b - 1):
            if pfn not in self.ram_set:
                raise GenError('line %d: pfn %#x is not RAM' % (r['line'], pfn))
        for pfn in range(a, b):
            if pfn not in self.ram_set:
                raise GenError('line %d: pfn %#x is not RAM (range crosses a hole)' % (r['line'], pfn))
            if pfn in self.desc:
                raise GenError('line %d: pfn %#x already described on line %d'
                               % (r['line'], pfn, self.runs[self.desc[pfn][0]]['line']))
        order = opts.get('order', 0)
        if cls == 'thp' and 'order' not in opts:
            order = 9
        if order not in (0, 'auto') and b - a == 1:
            # 'pfn 100 free order=3': one block of 2^order pages from 100
            b = a + (1 << int(order))
            r = dict(r, end=b)
            for pfn in range(a, b):
                if pfn not in self.ram_set:
                    raise GenError('line %d: pfn %#x is not RAM' % (r['line'], pfn))
                if pfn in self.desc:
                    raise GenError('line %d: pfn %#x already described' % (r['line'], pfn))
        if order == 'auto':
            if cls != 'free':
                raise GenError('line %d: order=auto only for free' % r['line'])
        else:
            order = int(order)
            if order and cls not in COMPOUND_OK and cls not in ('free', 'unaccepted'):
                raise GenError('line %d: class %s cannot have order>0' % (r['line'], cls))
            n = 1 << order
            if (b - a) % n:
                raise GenError('line %d: range is not a multiple of 2^order' % r['line'])
            if order and a % n and not opts.get('noalign') and cls not in ('free', 'unaccepted'):
                raise GenError('line %d: compound start not aligned to its order' % r['line'])
        if 'trap' in opts and opts['trap'] not in ('buddy', 'offline', 'anon'):
            raise GenError('line %d: trap must be buddy, offline or anon' % r['line'])
        idx = len(self.runs)
        r = dict(r, order=order)
        self.runs.append(r)
        blocks = []
        if order == 'auto':
            blocks = self._buddy_tiling(a, b)
        else:
            n = 1 << order
            blocks = [(q, order) for q in range(a, b, n)]
        r['blocks'] = blocks
        for head, o in blocks:
            for i in range(1 << o):
                self.desc[head + i] = (idx, 'head' if i == 0 else 'tail', i, head, o)
                self.used.add(head + i)

    def _buddy_tiling(self, a, b):
        out = []
        q = a
        maxo = self.profile.max_order - 1
        while q < b:
            o = 0
            while o < maxo and q % (1 << (o + 1)) == 0 and q + (1 << (o + 1)) <= b:
                o += 1
            out.append((q, o))
            q += 1 << o
        return out

    def _place_kernel(self):
        sp = self.spec
        # the image holds text (1 MiB), page tables, data and (sparse) the
        # static mem_section array
        static_ms = 0
        if self.memmap == 'sparse':
            static_ms = self.nr_section_roots * self.mem_section_size
        elif self.memmap == 'sparse_extreme' and not self.profile.mem_section_ptr:
            static_ms = self.nr_section_roots * 8      # struct mem_section *mem_section[ROOTS]
        need = 0x100000 + 0x40000 + _align_up(static_ms, PAGE_SIZE) + 0x80000
        if not self.numa:
            need += _align_up(self.profile.sizes['pglist_data'], PAGE_SIZE)
        ksize = sp.kernel_size or max(SZ_2M, _align_up(need, SZ_2M))
        if ksize % SZ_2M or ksize < need:
            raise GenError('kernel_size must be a multiple of 2 MiB and >= %#x' % need)
        self.kernel_size = ksize
        npages = ksize >> PAGE_SHIFT
        if sp.kernel_phys is not None:
            kp = sp.kernel_phys
            if kp % SZ_2M:
                raise GenError('kernel_phys must be 2 MiB aligned')
        else:
            kp = None
            cands = []
            for a, b in self.ram:
                s = _align_up(a << PAGE_SHIFT, SZ_2M)
                while s + ksize <= b << PAGE_SHIFT:
                    cands.append(s)
                    s += SZ_2M
            # prefer 16 MiB (CONFIG_PHYSICAL_START), then the lowest free spot
            cands.sort(key=lambda s: (s != 0x1000000, s))
            for s in cands:
                pf = s >> PAGE_SHIFT
                if all(q not in self.used for q in range(pf, pf + npages)):
                    kp = s
                    break
            if kp is None:
                raise GenError('no free 2 MiB aligned RAM for the kernel image (%#x bytes)' % ksize)
        self.kernel_phys = kp
        kpfn = kp >> PAGE_SHIFT
        for q in range(kpfn, kpfn + npages):
            if q not in self.ram_set:
                raise GenError('kernel image at %#x is not inside RAM' % kp)
            if q in self.used:
                raise GenError('kernel image at %#x overlaps described pfn %#x' % (kp, q))
            self.used.add(q)
        self.kernel_pfns = range(kpfn, kpfn + npages)
        self.text_va = START_KERNEL + self.kaslr
        # phys = va - __START_KERNEL_map + phys_base
        self.phys_base = (kp - (self.text_va - START_KERNEL_MAP)) & MASK64
        # image layout (offsets from _text)
        lay = {}
        off = 0x100000                      # text before this
        lay['init_top_pgt'] = off
        off += PAGE_SIZE
        lay['level4_kernel_pgt'] = off      # 5-level only
        off += PAGE_SIZE
        lay['level3_kernel_pgt'] = off
        off += PAGE_SIZE
        lay['level2_kernel_pgt'] = off
        off += PAGE_SIZE
        lay['data'] = off                   # misc variables
        off += 4 * PAGE_SIZE
        lay['node_data'] = off              # 1024 pointers
        off += 2 * PAGE_SIZE
        lay['init_uts_ns'] = off
        off += PAGE_SIZE
        lay['static_mem_section'] = off
        off += _align_up(static_ms, PAGE_SIZE)
        lay['contig_page_data'] = off
        if not self.numa:
            off += _align_up(self.profile.sizes['pglist_data'], PAGE_SIZE)
        lay['end'] = off
        self.kimg = lay
        # image pages with constructed content
        data_start = kpfn + (0x100000 >> PAGE_SHIFT)
        data_end = kpfn + (_align_up(off, PAGE_SIZE) >> PAGE_SHIFT)
        for q in range(data_start, data_end):
            self.meta_label[q] = 'kernel_data'
        tv = self.text_va
        S = self.sym
        S['_stext'] = tv
        S['init_top_pgt'] = tv + lay['init_top_pgt']
        S['init_uts_ns'] = tv + lay['init_uts_ns']
        S['node_data'] = tv + lay['node_data']
        d = tv + lay['data']
        S['node_online_map'] = d + 0x000
        S['vmap_area_list'] = d + 0x100
        S['mem_map'] = d + 0x110
        S['prb'] = d + 0x200
        S['printk_rb_static'] = d + 0x220
        S['clear_seq'] = d + 0x300
        S['kallsyms_relative_base'] = d + 0x400
        S['kallsyms_num_syms'] = d + 0x408
        S['kallsyms_names'] = tv + 0x80000
        S['kallsyms_token_table'] = tv + 0xc0000
        S['kallsyms_token_index'] = tv + 0xc8000
        S['kallsyms_offsets'] = tv + 0x40000
        S['contig_page_data'] = tv + lay['contig_page_data']
        S['vmlist'] = d + 0x120
        S['phys_base'] = d + 0x130
        S['log_buf'] = d + 0x500
        S['log_buf_len'] = d + 0x508
        S['log_end'] = S['log_first_idx'] = d + 0x510
        S['logged_chars'] = S['log_next_idx'] = d + 0x518
        S['clear_idx'] = d + 0x520
        S['free_compound_page'] = tv + 0x20000      # compound destructors (text)
        S['free_huge_page'] = tv + 0x21000
        if self.memmap == 'sparse' or static_ms:
            S['mem_section'] = tv + lay['static_mem_section']

    def _present_sections(self):
        secs = sorted({pfn // self.section_pfns for pfn in self.ram_pfns})
        return secs

    def _alloc_memmap(self):
        """Place struct page arrays (vmemmap backing, classic per-section
        mem_map or the flat mem_map) in RAM."""
        spp = self.section_pfns
        SZ = self.spsz
        self.present_sections = self._present_sections()
        self.vmemmap_backing = {}     # vmemmap 4K page index -> backing pfn
        self.vmemmap_maps = []        # (va, pa, size)
        self.memmap_pfns = set()      # pfns that have a struct page
        if self.memmap == 'flat':
            n = _align_up(self.max_pfn * SZ, PAGE_SIZE) >> PAGE_SHIFT
            pf = self.alloc_meta(n, label='mem_map')
            self.flat_mem_map_pa = pf[0] << PAGE_SHIFT
            self.flat_mem_map_va = self.dm_va(self.flat_mem_map_pa)
            self.memmap_pfns = set(range(0, self.max_pfn))
            return
        if self.memmap == 'discontig':
            # alloc_node_mem_map(): from the node's own memory, for its pfns
            # rounded out to MAX_ORDER_NR_PAGES; node_mem_map points at the
            # struct page of node_start_pfn inside that array
            mo = 1 << (self.profile.max_order - 1)
            for n in self.nodes:
                a, b = _align_down(n['start'], mo), _align_up(n['end'], mo)
                pf = self.alloc_meta(_align_up((b - a) * SZ, PAGE_SIZE) >> PAGE_SHIFT,
                                     label='mem_map', within=(n['start'], n['end']))
                n['mem_map_pa'] = (pf[0] << PAGE_SHIFT) + (n['start'] - a) * SZ
                n['mem_map_va'] = self.dm_va(n['mem_map_pa'])
                self.memmap_pfns.update(range(n['start'], n['end']))
            return
        if not self.vmemmap:
            self.classic_map_pa = {}
            self.classic_map_va = {}
            for sec in self.present_sections:
                pf = self.alloc_meta(_align_up(spp * SZ, PAGE_SIZE) // PAGE_SIZE, label='mem_map')
                self.classic_map_pa[sec] = pf[0] << PAGE_SHIFT
                self.classic_map_va[sec] = self.dm_va(pf[0] << PAGE_SHIFT)
                self.memmap_pfns.update(range(sec * spp, (sec + 1) * spp))
            return
        vb = self.vmemmap_base
        mode = self.vmemmap_pages

        def vpages(first_pfn, npfns):
            """4K vmemmap page indexes holding the struct pages of a pfn run."""
            return range(first_pfn * SZ >> PAGE_SHIFT, ((first_pfn + npfns) * SZ - 1 >> PAGE_SHIFT) + 1)
        if mode == '2M':
            if vb % SZ_2M:
                raise GenError('vmemmap_base must be 2 MiB aligned for 2M vmemmap pages')
            chunks = set()
            for sec in self.present_sections:
                chunks.update(vp >> 9 for vp in vpages(sec * spp, spp))
                self.memmap_pfns.update(range(sec * spp, (sec + 1) * spp))
            for c in sorted(chunks):
                pf = self.alloc_meta(512, align=512, label='vmemmap')
                self.vmemmap_maps.append((vb + c * SZ_2M, pf[0] << PAGE_SHIFT, SZ_2M))
                for i in range(512):
                    self.vmemmap_backing[c * 512 + i] = pf[i]
        elif mode == '4K':
            populate = self.spec.vmemmap_populate or 'section'
            step = spp if populate == 'section' else 512
            blocks = sorted({pfn // step * step for pfn in self.ram_pfns})
            need = set()
            for blk in blocks:
                need.update(vpages(blk, step))
                self.memmap_pfns.update(range(blk, blk + step))
            for vp in sorted(need):
                pf = self.alloc_meta(1, label='vmemmap')[0]
                self.vmemmap_backing[vp] = pf
                self.vmemmap_maps.append((vb + (vp << PAGE_SHIFT), pf << PAGE_SHIFT, PAGE_SIZE))
        elif mode == '1G':
            if vb % SZ_1G:
                raise GenError('vmemmap_base must be 1 GiB aligned for 1G vmemmap pages')
            per_g = SZ_1G >> PAGE_SHIFT          # 4K pages per 1G vmemmap page
            blocks = sorted({pfn // 512 * 512 for pfn in self.ram_pfns})
            by_gpage = {}
            for blk in blocks:
                for vp in vpages(blk, 512):
                    by_gpage.setdefault(vp // per_g, set()).add(vp % per_g)
                self.memmap_pfns.update(range(blk, blk + 512))
            for gp, need in sorted(by_gpage.items()):
                found = None
                for k in range((self.max_pfn << PAGE_SHIFT) // SZ_1G + 1):
                    base = (k * SZ_1G) >> PAGE_SHIFT
                    if all((base + q) in self.ram_set and (base + q) not in self.used for q in need):
                        found = base
                        break
                if found is None:
                    raise GenError('vmemmap 1G: no 1 GiB aligned physical base whose pages '
                                   'for the needed struct pages are free RAM; keep RAM at '
                                   'the start of a 1 GiB region undescribed')
                self.claim_meta([found + q for q in sorted(need)], 'vmemmap')
                self.vmemmap_maps.append((vb + gp * SZ_1G, found << PAGE_SHIFT, SZ_1G))
                for q in need:
                    self.vmemmap_backing[gp * per_g + q] = found + q

    def _alloc_mem_section(self):
        if not self.sparse:
            return
        spr = self.sections_per_root
        self.ms_root_pa = {}
        if self.memmap == 'sparse_extreme' and not self.profile.mem_section_ptr:
            # before 4.15 the root array is a static array in the kernel image
            self.ms_roots_pa = self.kernel_phys + self.kimg['static_mem_section']
            for root in sorted({s // spr for s in self.present_sections}):
                self.ms_root_pa[root] = self.alloc_meta(1, label='mem_section')[0] << PAGE_SHIFT
        elif self.memmap == 'sparse_extreme':
            nbytes = self.nr_section_roots * 8
            pf = self.alloc_meta(_align_up(nbytes, PAGE_SIZE) >> PAGE_SHIFT, label='mem_section_roots')
            self.ms_roots_pa = pf[0] << PAGE_SHIFT
            self.sym['mem_section'] = self.dm_va(self.ms_roots_pa)
            for root in sorted({s // spr for s in self.present_sections}):
                self.ms_root_pa[root] = self.alloc_meta(1, label='mem_section')[0] << PAGE_SHIFT
        else:
            self.ms_static_pa = self.kernel_phys + self.kimg['static_mem_section']
        # mem_section_usage objects
        self.usage_pa = self.alloc_meta(1, label='mem_section_usage')[0] << PAGE_SHIFT

    def section_pa(self, sec):
        if self.memmap == 'sparse_extreme':
            root = sec // self.sections_per_root
            return self.ms_root_pa[root] + (sec % self.sections_per_root) * self.mem_section_size
        return self.ms_static_pa + sec * self.mem_section_size

    def _alloc_pgdat(self):
        size = self.profile.sizes['pglist_data']
        if self.memmap == 'discontig':
            # setup_node_bootmem() (2.6.18/2.6.24 x86_64): node_data[nid] is
            # found in the node's own memory
            for n in self.nodes:
                pf = self.alloc_meta(_align_up(size, PAGE_SIZE) >> PAGE_SHIFT,
                                     label='pglist_data', within=(n['start'], n['end']))
                n['pgdat_pa'] = pf[0] << PAGE_SHIFT
                n['pgdat_va'] = self.dm_va(n['pgdat_pa'])
            self.pgdat_pa, self.pgdat_va = self.nodes[0]['pgdat_pa'], self.nodes[0]['pgdat_va']
            return
        if self.numa:
            pf = self.alloc_meta(_align_up(size, PAGE_SIZE) >> PAGE_SHIFT, label='pglist_data')
            self.pgdat_pa = pf[0] << PAGE_SHIFT
            self.pgdat_va = self.dm_va(self.pgdat_pa)
        else:
            self.pgdat_pa = self.kernel_phys + self.kimg['contig_page_data']
            self.pgdat_va = self.sym['contig_page_data']
        self.nodes[0].update(pgdat_pa=self.pgdat_pa, pgdat_va=self.pgdat_va)

    def _build_page_tables(self):
        root = self.kernel_phys + self.kimg['init_top_pgt']
        for k in ('init_top_pgt', 'level4_kernel_pgt', 'level3_kernel_pgt', 'level2_kernel_pgt'):
            self.meta_label[(self.kernel_phys + self.kimg[k]) >> PAGE_SHIFT] = 'pgtable'
        self.pt = pt = PageTables(self, root, self.paging)
        # kernel image: link the static kernel tables first (like head_64.S)
        shifts = pt.shifts
        tbl = root
        va = self.text_va
        static = ['level4_kernel_pgt'] if self.paging == 5 else []
        static += ['level3_kernel_pgt', 'level2_kernel_pgt']
        for shift, name in zip(shifts, static):
            nxt = self.kernel_phys + self.kimg[name]
            pt._wr(tbl + ((va >> shift) & 511) * 8, nxt | self.sme_mask | PTE_TABLE)
            tbl = nxt
        for off in range(0, self.kernel_size, SZ_2M):
            pt.map(self.text_va + off, self.kernel_phys + off, SZ_2M, nx=False)
        # direct map of all RAM
        dsz = SZ_1G if self.spec.direct_map_pages == '1G' else SZ_2M
        if self.page_offset % dsz:
            raise GenError('page_offset must be aligned to the direct map page size')
        done = set()
        for a, b in self.ram:
            s = _align_down(a << PAGE_SHIFT, dsz)
            e = _align_up(b << PAGE_SHIFT, dsz)
            for pa in range(s, e, dsz):
                if pa not in done:
                    done.add(pa)
                    pt.map(self.page_offset + pa, pa, dsz)
        # vmemmap
        for va, pa, size in self.vmemmap_maps:
            pt.map(va, pa, size)

    def _default_fill(self):
        """Undescribed, unallocated RAM pfns get the default class."""
        free = [p for p in self.ram_pfns if p not in self.used and p not in self.meta_label]
        self.default_runs = []
        if not free:
            return
        runs = []
        for p in free:
            if runs and runs[-1][1] == p:
                runs[-1][1] = p + 1
            else:
                runs.append([p, p + 1])
        cls = self.spec.default
        for a, b in runs:
            r = dict(start=a, end=b, cls=cls, opts={}, line=0,
                     order='auto' if cls == 'free' else 0)
            idx = len(self.runs)
            self.runs.append(r)
            if cls == 'free':
                r['blocks'] = self._buddy_tiling(a, b)
            else:
                r['blocks'] = [(q, 0) for q in range(a, b)]
            for head, o in r['blocks']:
                for i in range(1 << o):
                    self.desc[head + i] = (idx, 'head' if i == 0 else 'tail', i, head, o)

    # -------- struct page contents --------

    def _flags_upper(self, pfn):
        p = self.profile
        zone = self.zone_of(pfn)
        if self.memmap == 'discontig':
            # no section field: NODES_SHIFT 6 and ZONES_SHIFT 2 from bit 63
            # (include/linux/mm.h, 2.6.18 and 2.6.24)
            return (self.node_of(pfn)['nid'] << 58) | (zone << 56)
        if self.vmemmap or self.memmap == 'flat':
            L = p.flags_layout_vmemmap
            v = zone << L['zone'][0]
            if 'cpupid' in L:
                v |= ((1 << L['cpupid'][1]) - 1) << L['cpupid'][0]
        else:
            L = p.flags_layout_classic
            v = ((pfn // self.section_pfns) << L['section'][0]) | (zone << L['zone'][0])
        return v

    def zone_of(self, pfn):
        if pfn < 4096:
            return 0
        if pfn < (1 << 20):
            return 1
        return 2

    def _ptr(self, tag, n=0, align=64):
        """A plausible direct-map kernel pointer (even), deterministic."""
        h = int(hashlib.md5(('%s/%d/%d' % (tag, n, self.seed)).encode()).hexdigest()[:8], 16)
        return (self.page_offset + 0x100000000 + (h % 0x3fff0000) * 64 // align * align) & ~7

    def _build_struct_pages(self):
        p = self.profile
        E = p.era
        pg = p.pg
        B = lambda name: 1 << pg[name]
        self.sp = {}
        for pfn in sorted(self.memmap_pfns):
            # default: reserved (holes, memblock, kernel image)
            self.sp[pfn] = dict(flags=self._flags_upper(pfn) | B('reserved'), w8=0, w16=0,
                                mapping=0, index=0, private=0, mapcount=0xffffffff,
                                refcount=1, memcg=0)
            # memblock'd pages and holes in sections: lru points to itself
            va = self.page_va(pfn)
            self.sp[pfn]['w8'] = va + p.page_off['lru']
            self.sp[pfn]['w16'] = va + p.page_off['lru']
        for pfn in self.ram_pfns:
            if pfn not in self.memmap_pfns:
                raise GenError('internal: RAM pfn %#x has no struct page' % pfn)
        self.labels = {}
        for pfn in self.ram_pfns:
            if pfn in self.meta_label:
                self.labels[pfn] = 'meta:' + self.meta_label[pfn]
            elif pfn in self.kernel_pfns:
                self.labels[pfn] = 'meta:kernel_text'
        dt = p.dtor
        marker = E['free_marker']
        pt = p.page_type
        M32 = 0xffffffff
        buddy = pt['buddy'] & M32 if pt['buddy'] is not None else None
        offline = pt['offline'] & M32 if pt['offline'] is not None else None
        slab_type = pt['slab']
        # raw _count of a page with no users: -1 while page_count() was biased
        free_count = M32 if marker == 'private_count' else 0
        cstyle = E['compound']
        hstyle = E['hugetlb_style']
        lru_off = p.page_off['lru']

        def need(what, ok, line):
            if not ok:
                raise GenError('line %d: kernel %s has no %s' % (line, p.name, what))
        self.free_blocks = []           # (head, order, migratetype)
        for ri, r in enumerate(self.runs):
            cls, opts = r['cls'], r['opts']
            line = r['line']
            if cls in ('thp',) or (cls == 'anon' and r['order'] not in (0, 'auto')):
                need('transparent huge pages (2.6.38+)', E['thp'], line)
            if cls == 'offline' or opts.get('trap') == 'offline' or opts.get('mapcount') == 'offline':
                need('PageOffline page type (5.1+)', offline is not None, line)
            if cls == 'hwpoison' or 'hwpoison' in opts:
                need('PG_hwpoison (2.6.32+)', 'hwpoison' in pg, line)
            if cls == 'unaccepted':
                need('unaccepted page type (6.12+)', pt['unaccepted'] is not None, line)
            if opts.get('trap') == 'buddy' or opts.get('mapcount') == 'buddy':
                need('a _mapcount buddy value (2.6.38+)', buddy is not None, line)
            for bi, (head, order) in enumerate(r['blocks']):
                n = 1 << order
                compound = order > 0 and cls not in ('free', 'unaccepted')
                head_va = self.page_va(head)
                for i in range(n):
                    pfn = head + i
                    s = self.sp[pfn]
                    s['flags'] = self._flags_upper(pfn)
                    s['refcount'] = 1
                    s['mapcount'] = M32
                    s['w8'] = s['w16'] = 0
                    self.labels[pfn] = cls
                    va = self.page_va(pfn)
                    if compound and cstyle == 'pg_compound':
                        s['flags'] |= B('compound')
                        s['private'] = head_va             # set_page_private(p, page)
                    if compound and i > 0:
                        s['refcount'] = 0
                        s['mapping'] = p.tail_mapping
                        dtor_id = dict(hugetlb=dt['hugetlb'], thp=dt['transhuge'],
                                       anon=dt['transhuge']).get(cls, dt['compound'])
                        if cstyle in ('pg_compound', 'head_tail'):
                            if cstyle == 'head_tail':
                                s['flags'] |= B('tail')
                                s['private'] = head_va     # first_page
                            dtor = self.sym['free_huge_page' if cls == 'hugetlb'
                                            else 'free_compound_page']
                            if i == 1 and p.version < (2, 6, 16):
                                s['mapping'], s['index'] = dtor, order
                            elif i == 1:
                                s['w8'] = dtor
                                s['w16'] = order
                        else:
                            if E['compound_info_mask']:
                                s['w8'] = ((MASK64 >> (order + 6)) << (order + 6)) | 1
                            else:
                                s['w8'] = head_va | 1
                            if i == 1 and cstyle == 'compound_head':
                                if E['order_w'] == 4:      # 4.4-4.15: u32 dtor, u32 order
                                    s['w16'] = dtor_id | (order << 32)
                                elif lru_off == 32:        # 4.16-4.17: u8 @40, u8 @41
                                    s['w16'] = dtor_id | (order << 8)
                                else:                      # u8 @16, u8 @17, mapcount @20
                                    s['w16'] = dtor_id | (order << 8) | (M32 << 32)
                                s['mapping'] = 0 | (n << 32)   # pincount, compound_nr
                            elif i == 1:                   # folio: order in _flags_1
                                s['flags'] = order
                                if cls == 'hugetlb' and hstyle == 'flag':
                                    s['flags'] |= B('hugetlb')
                                s['w16'] = M32                      # _entire_mapcount -1
                                s['mapping'] = 0 | (n << 32)
                            if i == 2 and cls in ('thp', 'anon') and p.version >= (4, 5, 0):
                                s['mapping'] = va + 24          # deferred_list (empty)
                                s['index'] = va + 24
                        if 'hwpoison' in opts:
                            s['flags'] |= B('hwpoison')
                        continue
                    if cls == 'free':
                        s['refcount'] = free_count
                        if i == 0:
                            s['private'] = order
                            if marker == 'mapcount':
                                s['mapcount'] = buddy
                            elif marker == 'pg_buddy':
                                s['flags'] |= B('buddy')
                            else:
                                s['flags'] |= B('private')
                            mt = (1 if (bi % 3) else 0) if p.migrate_types > 1 else 0
                            self.free_blocks.append((head, order, mt))
                        else:
                            s['w8'] = 0xdead000000000100     # LIST_POISON1
                            s['w16'] = 0xdead000000000122    # LIST_POISON2
                    elif cls == 'unaccepted':
                        s['refcount'] = 0
                        if i == 0:
                            s['mapcount'] = pt['unaccepted']
                            s['w8'] = s['w16'] = va + lru_off
                    elif cls in ('kernel', 'zero', 'hwpoison'):
                        if cls == 'kernel' and order:
                            s['flags'] |= B('head')
                        if cls == 'hwpoison':
                            s['flags'] |= B('hwpoison')
                            s['refcount'] = 1
                    elif cls == 'reserved':
                        s['flags'] |= B('reserved')
                        s['w8'] = s['w16'] = va + lru_off
                    elif cls in ('cache', 'cache_private'):
                        s['flags'] |= B('lru') | B('uptodate') | B('referenced')
                        if cls == 'cache_private':
                            s['flags'] |= B('private')
                            s['private'] = self._ptr('bh', pfn)
                        if order:
                            s['flags'] |= B('head')
                        s['mapping'] = self._ptr('address_space', ri, 256)
                        s['index'] = bi * n
                        s['refcount'] = 2
                        s['mapcount'] = 0 if pfn % 3 == 0 else M32
                        s['w8'] = va + lru_off
                        s['w16'] = va + lru_off
                    elif cls == 'swapcache':
                        s['flags'] |= B('swapcache') | B('uptodate')
                        if 'swapbacked' in pg:
                            s['flags'] |= B('swapbacked')
                        s['private'] = 0x3000 + pfn          # swp_entry_t
                        s['mapping'] = 0
                    elif cls in ('anon', 'anon_swapcache', 'thp'):
                        s['flags'] |= B('lru') | B('uptodate') | B('active')
                        if 'swapbacked' in pg:
                            s['flags'] |= B('swapbacked')
                        if cls == 'anon_swapcache':
                            s['flags'] |= B('swapcache')
                            s['private'] = 0x5000 + pfn
                        if order:
                            s['flags'] |= B('head')
                        s['mapping'] = self._ptr('anon_vma', ri) | 1
                        s['index'] = 0x7f0000000 + pfn
                        s['mapcount'] = 0
                        s['w8'] = va + lru_off
                        s['w16'] = va + lru_off
                    elif cls == 'slab':
                        if E['slab_style'] == 'type':
                            s['mapcount'] = slab_type
                        else:
                            s['flags'] |= B('slab')
                            # SLUB: inuse/objects share the _mapcount word before 4.18
                            s['mapcount'] = M32 if p.version >= (4, 18, 0) else 16 | (32 << 16)
                        if order:
                            s['flags'] |= B('head')
                        kmem_cache = self._ptr('kmem_cache', ri, 256)
                        s['w8'] = va + lru_off          # slab_list
                        s['w16'] = va + lru_off
                        s['mapping'] = kmem_cache if p.version >= (4, 18, 0) else 0
                        s['index'] = self.dm_va(pfn << PAGE_SHIFT) + 0x40   # freelist
                        s['private'] = (16 | (32 << 16)) if p.version >= (4, 18, 0) else kmem_cache
                    elif cls == 'hugetlb':
                        s['flags'] |= B('head') | B('uptodate')
                        if order == 0:
                            raise GenError('line %d: hugetlb needs order>0' % r['line'])
                        s['mapping'] = self._ptr('hugetlbfs', ri, 256)
                        s['index'] = bi
                        if hstyle == 'type':
                            s['mapcount'] = pt['hugetlb']
                    elif cls == 'offline':
                        s['mapcount'] = offline
                        s['refcount'] = 1
                    elif cls == 'owner_priv':
                        # PG_owner_priv_1 (PG_checked) on a non-swapbacked page
                        s['flags'] |= B('owner_priv_1') | B('private')
                        s['private'] = self._ptr('bh', pfn)
                        s['mapping'] = self._ptr('address_space_meta', ri, 256)
                    # modifiers
                    if 'hwpoison' in opts:
                        s['flags'] |= B('hwpoison')
                    trap = opts.get('trap')
                    if trap == 'buddy':
                        s['mapcount'] = buddy
                    elif trap == 'offline':
                        s['mapcount'] = offline
                    elif trap == 'anon':
                        s['mapping'] |= 1
                    if 'mapcount' in opts:
                        v = opts['mapcount']
                        s['mapcount'] = (buddy if v == 'buddy' else offline if v == 'offline'
                                         else parse_int(v)) & M32
                    if 'private' in opts:
                        s['private'] = parse_int(opts['private']) & MASK64
                    if 'mapping' in opts:
                        v = opts['mapping']
                        s['mapping'] = (self._ptr('anon_vma', ri) | 1 if v == 'anon'
                                        else self._ptr('address_space', ri, 256) if v == 'file'
                                        else parse_int(v)) & MASK64
                    if 'flags' in opts:
                        s['flags'] |= parse_int(opts['flags'])
                    if 'count' in opts:
                        s['refcount'] = parse_int(opts['count']) & M32
        # metadata/kernel pages keep the 'reserved' default; compound tails
        # of free classes cannot exist

    def _build_free_lists(self):
        """Link buddy heads into zone free_area[order].free_list[mt] (page.lru)
        of their node's pglist_data."""
        p = self.profile
        self.zone_lists = {}
        for head, order, mt in self.free_blocks:
            if order >= p.max_order:
                continue       # a kernel would never have this; trap pages are not listed
            z = self.zone_of(head)
            self.zone_lists.setdefault((z, order, mt), []).append(head)
        for node in self.nodes:
            self._build_node(node)

    def _build_node(self, node):
        """One node's pglist_data: its zones' free lists and counters."""
        p = self.profile
        zo = p.zone_off
        pgdat_pa, pgdat_va = node['pgdat_pa'], node['pgdat_va']
        mine = lambda pfn: node['start'] <= pfn < node['end']          # noqa: E731
        lists = {}
        for key, heads in self.zone_lists.items():
            heads = [h for h in heads if mine(h)]
            if heads:
                lists[key] = heads
        zsize = p.sizes['zone']
        for (z, order, mt), heads in sorted(lists.items()):
            zone_va = pgdat_va + p.pgdat_off['node_zones'] + z * zsize
            head_va = zone_va + zo['free_area'] + order * p.sizes['free_area'] + mt * 16
            chain = [head_va] + [self.page_va(h) + p.page_off['lru'] for h in heads]
            for i, nva in enumerate(chain):
                nxt = chain[(i + 1) % len(chain)]
                prv = chain[i - 1]
                if i == 0:
                    pa = pgdat_pa + (head_va - pgdat_va)
                    self.wr64(pa, nxt)
                    self.wr64(pa + 8, prv)
                else:
                    s = self.sp[heads[i - 1]]
                    s['w8'], s['w16'] = nxt, prv
        # empty lists point to themselves; zone counters
        zones = {}
        for pfn in self.ram_pfns:
            if mine(pfn):
                zones.setdefault(self.zone_of(pfn), []).append(pfn)
        nr_zones = max(zones) + 1
        for z in range(p.nr_zones_max):
            zone_va = pgdat_va + p.pgdat_off['node_zones'] + z * zsize
            zpa = pgdat_pa + (zone_va - pgdat_va)
            for order in range(p.max_order):
                for mt in range(p.migrate_types):
                    off = zo['free_area'] + order * p.sizes['free_area'] + mt * 16
                    if (z, order, mt) not in lists:
                        self.wr64(zpa + off, zone_va + off)
                        self.wr64(zpa + off + 8, zone_va + off)
                nr_free = sum(len(v) for (zz, o, m), v in lists.items()
                              if zz == z and o == order)
                self.wr64(zpa + zo['free_area'] + order * p.sizes['free_area'] + p.migrate_types * 16,
                          nr_free)
            if z in zones:
                zp = zones[z]
                self.wr64(zpa + zo['spanned_pages'] - 16, zp[0])        # zone_start_pfn
                self.wr64(zpa + zo['spanned_pages'] - 8, len(zp))       # managed_pages
                self.wr64(zpa + zo['spanned_pages'], zp[-1] + 1 - zp[0])
                self.wr64(zpa + zo['present_pages'], len(zp))
                free = sum((1 << o) * len(v) for (zz, o, m), v in lists.items() if zz == z)
                self.wr64(zpa + zo['vm_stat'], free)  # vm_stat[NR_FREE_PAGES]
        po = p.pgdat_off
        self.wr32(pgdat_pa + po['nr_zones'], nr_zones)
        self.wr64(pgdat_pa + po['node_start_pfn'], node['start'])
        self.wr64(pgdat_pa + po['node_present_pages'], sum(len(v) for v in zones.values()))
        self.wr64(pgdat_pa + po['node_spanned_pages'], node['end'] - node['start'])
        self.wr32(pgdat_pa + po['node_id'], node['nid'])
        if self.memmap == 'flat':
            self.wr64(pgdat_pa + po['node_mem_map'], self.flat_mem_map_va)
        elif self.memmap == 'discontig':
            self.wr64(pgdat_pa + po['node_mem_map'], node['mem_map_va'])

    def struct_page_bytes(self, pfn):
        n = self.spsz
        s = self.sp.get(pfn)
        if s is None:
            return bytes(n)
        o = self.profile.page_off
        b = bytearray(n)
        for name, key, w in (('flags', 'flags', 8), ('w8', 'lru', 8), ('w16', 'lru8', 8),
                             ('mapping', 'mapping', 8), ('index', 'index', 8),
                             ('private', 'private', 8), ('mapcount', 'mapcount', 4),
                             ('refcount', 'count', 4), ('memcg', 'memcg', 8)):
            off = o['lru'] + 8 if key == 'lru8' else o.get(key)
            if off is None:
                continue
            b[off:off + w] = (s[name] & ((1 << (8 * w)) - 1)).to_bytes(w, 'little')
        return bytes(b)

    def _write_struct_pages(self):
        for pfn in self.sp:
            pa = self.page_pa(pfn)
            if pa is None:
                raise GenError('internal: struct page of pfn %#x not backed' % pfn)
            self.wr(pa, self.struct_page_bytes(pfn))

    def _write_mem_section(self):
        if self.memmap == 'flat':
            self.wr64(self.kimg_va_to_pa(self.sym['mem_map']), self.flat_mem_map_va)
            return
        if self.memmap == 'discontig':
            return                      # node_mem_map is in each pglist_data
        spp = self.section_pfns
        flags = self.profile.section_flags
        if self.memmap == 'sparse_extreme':
            for root, pa in self.ms_root_pa.items():
                self.wr64(self.ms_roots_pa + root * 8, self.dm_va(pa))
        for i, sec in enumerate(self.present_sections):
            start = sec * spp
            mm = self.page_va(start)
            coded = (mm - start * self.spsz) & MASK64
            pa = self.section_pa(sec)
            self.wr64(pa, coded | flags)
            if self.mem_section_size < 16:
                continue
            usage = self.dm_va(self.usage_pa) + (i % 64) * 64
            self.wr64(pa + 8, usage)
            # mem_section_usage: subsection_map (one bit per 2 MiB)
            sub = 0
            for k in range(64):
                if any(self.is_ram(start + k * 512 + j) for j in (0, 511)):
                    sub |= 1 << k
            self.wr64(self.usage_pa + (i % 64) * 64, sub)

    def _write_kernel_data(self):
        kp = self.kernel_phys
        tv = self.text_va
        # init_uts_ns.name (struct new_utsname: 6 x 65 bytes)
        fields = ['Linux', 'vmcoregen', self.osrelease,
                  '#1 SMP PREEMPT_DYNAMIC vmcoregen', 'x86_64', '(none)']
        uts = b''.join(f.encode()[:64].ljust(65, b'\0') for f in fields)
        # struct uts_namespace starts with a 4-byte kref until 5.11 (when
        # OFFSET(uts_namespace.name) appeared); before 2.6.19 the symbol is
        # system_utsname, a bare struct new_utsname
        v = self.profile.version
        uts_off = 0 if v >= (5, 11, 0) or v < (2, 6, 19) else 4
        self.wr(kp + self.kimg['init_uts_ns'] + uts_off, uts)
        # node_online_map: nodes 0 .. n-1
        self.wr64(self.kimg_va_to_pa(self.sym['node_online_map']), (1 << len(self.nodes)) - 1)
        # vmap_area_list: empty list_head
        va = self.sym['vmap_area_list']
        self.wr64(self.kimg_va_to_pa(va), va)
        self.wr64(self.kimg_va_to_pa(va) + 8, va)
        if self.numa:
            for n in self.nodes:
                self.wr64(kp + self.kimg['node_data'] + 8 * n['nid'], n['pgdat_va'])
        self.wr64(self.kimg_va_to_pa(self.sym['kallsyms_num_syms']), 0)
        self.wr64(self.kimg_va_to_pa(self.sym['phys_base']), self.phys_base)
        va = self.sym['vmlist']
        self.wr64(self.kimg_va_to_pa(va), 0)              # empty vmlist
        self.wr64(self.kimg_va_to_pa(self.sym['kallsyms_relative_base']), tv)

    def _self_check_translation(self):
        pt = self.pt
        checks = [(self.sym['init_uts_ns'], self.kernel_phys + self.kimg['init_uts_ns']),
                  (self.sym['init_top_pgt'], self.kernel_phys + self.kimg['init_top_pgt'])]
        for pfn in (self.ram_pfns[0], self.ram_pfns[-1]):
            checks.append((self.page_va(pfn), self.page_pa(pfn)))
            checks.append((self.dm_va(pfn << PAGE_SHIFT), pfn << PAGE_SHIFT))
        for n in self.nodes:
            checks.append((n['pgdat_va'], n['pgdat_pa']) if self.numa else
                          (n['pgdat_va'], self.kimg_va_to_pa(n['pgdat_va'])))
            if self.memmap == 'discontig':
                checks.append((n['mem_map_va'], n['mem_map_pa']))
        if self.sparse:
            checks.append((self.sym['mem_section'], getattr(self, 'ms_roots_pa', None) or
                           self.ms_static_pa))
        for va, pa in checks:
            got = pt.translate(va)
            if got != pa:
                raise GenError('internal: page tables translate %#x to %s, want %#x'
                               % (va, None if got is None else hex(got), pa))
        # kimg symbol translation equals table walk
        if self.kimg_va_to_pa(self.sym['init_top_pgt']) != self.pt.root:
            raise GenError('internal: phys_base inconsistent')

    def _vmcoreinfo(self):
        self.vmcoreinfo_in_note = self.profile.has_vmcoreinfo
        if self.vmcoreinfo_in_note:
            lines = self.profile.vmcoreinfo(self)
        else:
            lines = _vmcoreinfo_dwarf(self)
        drops = set(self.spec.drop_keys)
        known = {k for k, _ in lines}
        for k in drops:
            if k not in known:
                raise GenError('drop_key %s: no such VMCOREINFO key (have: %s)' % (k, ', '.join(sorted(known))))
        lines = [(k, v) for k, v in lines if k not in drops]
        if self.spec.keep_keys is not None:
            keep = set(self.spec.keep_keys) | {'CRASHTIME'}
            for k in keep - known:
                raise GenError('keep_keys %s: no such VMCOREINFO key' % k)
            lines = [(k, v) for k, v in lines if k in keep]
        for k, v in self.spec.set_keys:
            for i, (kk, vv) in enumerate(lines):
                if kk == k:
                    lines[i] = (k, v)
                    break
            else:
                lines.insert(len(lines) - (1 if self.vmcoreinfo_in_note else 0), (k, v))
        return lines

    # ---------------- page content ----------------

    def content_mode(self, pfn):
        if pfn in self.meta_label:
            return 'meta'
        d = self.desc.get(pfn)
        r = self.runs[d[0]] if d is not None else None
        if r is not None and 'content' in r['opts']:
            return r['opts']['content']
        for a, b, mode in reversed(self.spec.contents):
            if a <= pfn < b:
                return mode
        if pfn in self.kernel_pfns:
            return 'random'            # kernel text
        if r is None:
            return 'text'
        return {'zero': 'zero', 'free': 'random', 'anon': 'random', 'anon_swapcache': 'random',
                'thp': 'random', 'hugetlb': 'random', 'offline': 'random',
                'hwpoison': 'random'}.get(r['cls'], 'text')

    def page_bytes(self, pfn):
        mode = self.content_mode(pfn)
        if mode == 'meta':
            pg = self.meta.get(pfn)
            return bytes(pg) if pg is not None else bytes(PAGE_SIZE)
        if mode == 'zero':
            return bytes(PAGE_SIZE)
        if mode == 'random':
            b = random.Random((self.seed << 40) ^ pfn).randbytes(PAGE_SIZE)
            if not any(b):
                b = b'\1' + b[1:]
            return b
        if mode == 'pattern':
            return struct.pack('<QQ', 0x5041545445524e00 | (self.seed & 0xff), pfn) * (PAGE_SIZE // 16)
        # text
        lab = self.labels.get(pfn, 'ram')
        line = ('pfn %#010x %-14s vmcoregen seed %d: the quick brown fox jumps over '
                'the lazy dog\n' % (pfn, lab, self.seed)).encode()
        return (line * (PAGE_SIZE // len(line) + 1))[:PAGE_SIZE]

    # ---------------- ELF ----------------

    def _notes(self):
        out = b''
        for cpu in range(self.spec.cpus):
            desc = bytearray(PRSTATUS_SIZE)
            struct.pack_into('<I', desc, 32, cpu + 1)          # pr_pid
            out += _note(b'CORE', NT_PRSTATUS, bytes(desc))
        if self.vmcoreinfo_in_note:
            out += _note(b'VMCOREINFO', 0, self.vmcoreinfo.encode())
        return out

    def _loads(self):
        """Program header list: dicts with paddr, memsz, filesz, vaddr."""
        loads = []
        e = self.spec.elf
        physv = 'phys_vaddr' in e
        if 'no_kernel_text' not in e:
            loads.append(dict(kind='kernel_text', paddr=self.kernel_phys, memsz=self.kernel_size,
                              filesz=self.kernel_size,
                              vaddr=self.kernel_phys if physv else self.text_va))
        ram_loads = []
        split = parse_int(e['split']) if 'split' in e else 0
        for a, b in self.ram:
            pa, pe = a << PAGE_SHIFT, b << PAGE_SHIFT
            chunk = split * PAGE_SIZE if split else pe - pa
            for s in range(pa, pe, chunk):
                n = min(chunk, pe - s)
                ram_loads.append(dict(kind='ram', paddr=s, memsz=n, filesz=n,
                                      vaddr=s if physv else self.dm_va(s)))
        if 'filesz_short' in e:
            short = parse_int(e['filesz_short'])
            i = e.get('filesz_short_seg', len(ram_loads) - 1)
            if not 0 <= i < len(ram_loads) or short >= ram_loads[i]['memsz']:
                raise GenError('elf filesz_short: bad segment or size')
            ram_loads[i]['filesz'] -= short
        loads += ram_loads
        if 'overlap' in e:
            v = e['overlap']
            if v is True:
                a, b = self.ram[0]
                n = b - a
                s, t = (a + n // 4) << PAGE_SHIFT, (a + 3 * n // 4) << PAGE_SHIFT
            else:
                s, t = parse_addr_range(v)
            for q in range(s >> PAGE_SHIFT, t >> PAGE_SHIFT):
                if q not in self.ram_set:
                    raise GenError('elf overlap range must be RAM')
            loads.append(dict(kind='overlap', paddr=s, memsz=t - s, filesz=t - s,
                              vaddr=s if physv else self.dm_va(s)))
        return loads

    def write_elf(self, path):
        e = self.spec.elf
        loads = self._loads()
        notes = self._notes()
        phnum = 1 + len(loads)
        xnum = 'xnum' in e
        phoff = int(parse_int(e['phoff'])) if 'phoff' in e else 64
        unaligned = 'unaligned' in e
        ehsize = int(parse_int(e['ehsize'])) if 'ehsize' in e else 64
        if phnum >= PN_XNUM and not xnum:
            xnum = True
        # section headers: QEMU style (NULL + .shstrtab) when phoff moved, or
        # one NULL header carrying the extended phnum
        shdrs = []
        shstrtab = b''
        if phoff != 64 or xnum:
            shdrs.append(dict(type=0, info=phnum if xnum else 0))
            if phoff != 64:
                shstrtab = b'\0.shstrtab\0'
                shdrs.append(dict(type=3, name=1, info=0))
        if phoff == 64:
            shoff = 64 + phnum * 56 if shdrs else 0
            hdr_end = 64 + phnum * 56 + len(shdrs) * 64
        else:
            if phoff < 64 + len(shdrs) * 64:
                raise GenError('elf phoff=%d leaves no room for the section headers' % phoff)
            shoff = 64
            hdr_end = phoff + phnum * 56
        note_off = hdr_end if unaligned else _align_up(hdr_end, PAGE_SIZE)
        data = note_off + len(notes)
        if not unaligned:
            data = _align_up(data, PAGE_SIZE)
        for ld in loads:
            ld['offset'] = data
            data += ld['filesz']
            if not unaligned:
                data = _align_up(data, PAGE_SIZE)
        shstr_off = data
        if shstrtab:
            for sh in shdrs:
                if sh['type'] == 3:
                    sh['offset'] = shstr_off
                    sh['size'] = len(shstrtab)
        # ELF header
        ident = b'\x7fELF' + bytes([2, 1, 1, 0]) + bytes(8)
        eh = ident + struct.pack('<HHIQQQIHHHHHH', ET_CORE, EM_X86_64, 1, 0, phoff, shoff, 0,
                                 ehsize, 56, PN_XNUM if xnum else phnum,
                                 64 if shdrs else 0, len(shdrs),
                                 1 if shstrtab else 0)
        phdrs = struct.pack('<IIQQQQQQ', PT_NOTE, 0, note_off, 0, 0, len(notes), len(notes), 0)
        for ld in loads:
            phdrs += struct.pack('<IIQQQQQQ', PT_LOAD, 7, ld['offset'], ld['vaddr'] & MASK64,
                                 ld['paddr'], ld['filesz'], ld['memsz'], 0)
        shbytes = b''
        for sh in shdrs:
            shbytes += struct.pack('<IIQQQQIIQQ', sh.get('name', 0), sh['type'], 0, 0,
                                   sh.get('offset', 0), sh.get('size', 0), 0, sh['info'], 1 if sh['type'] == 3 else 0, 0)
        self.vmcoreinfo_path = None
        if not self.vmcoreinfo_in_note:
            # no VMCOREINFO before 2.6.24: what `makedumpfile -g` would give, for -i
            self.vmcoreinfo_path = path + '.vmcoreinfo'
            with open(self.vmcoreinfo_path, 'w') as f:
                f.write(self.vmcoreinfo)
        with open(path, 'wb') as f:
            f.write(eh)
            if phoff == 64:
                f.write(phdrs)
                f.write(shbytes)
            else:
                f.write(shbytes)
                f.seek(phoff)
                f.write(phdrs)
            f.seek(note_off)
            f.write(notes)
            for ld in loads:
                f.seek(ld['offset'])
                pa = ld['paddr']
                left = ld['filesz']
                while left > 0:
                    pfn, po = pa >> PAGE_SHIFT, pa & 0xfff
                    n = min(PAGE_SIZE - po, left)
                    f.write(self.page_bytes(pfn)[po:po + n])
                    pa += n
                    left -= n
            if shstrtab:
                f.seek(shstr_off)
                f.write(shstrtab)
            f.truncate(max(f.tell(), data + len(shstrtab)))
        self.loads = loads
        return loads

    # ---------------- ground truth ----------------

    def truth(self):
        loads = self.loads
        max_paddr = max(ld['paddr'] + ld['memsz'] for ld in loads)
        max_mapnr = _align_up(max_paddr, PAGE_SIZE) >> PAGE_SHIFT
        # bitmap 1: memsz ranges (last partial page counted)
        bm1 = set()
        data = set()
        nodata = set()
        for ld in loads:
            s, e = ld['paddr'], ld['paddr'] + ld['memsz']
            bm1.update(range(s >> PAGE_SHIFT, min(_align_up(e, PAGE_SIZE) >> PAGE_SHIFT, max_mapnr)))
            fe = s + ld['filesz']
            nodata.update(range(fe >> PAGE_SHIFT, _align_up(e, PAGE_SIZE) >> PAGE_SHIFT))
        in_segs = set()
        for ld in loads:
            s = ld['paddr']
            fe = s + ld['filesz']
            in_segs.update(range(_align_up(s, PAGE_SIZE) >> PAGE_SHIFT,
                                 _align_up(fe, PAGE_SIZE) >> PAGE_SHIFT))
            data.update(range(s >> PAGE_SHIFT, _align_up(fe, PAGE_SIZE) >> PAGE_SHIFT))
        base = (bm1 & data) - nodata
        zero = set()
        for pfn in sorted(base):
            if not any(self.page_bytes(pfn)):
                zero.add(pfn)
        params = filter_params(self.vmcoreinfo_lines, self.profile.version)
        params['vmcoreinfo_in_note'] = self.vmcoreinfo_in_note
        levels, fail, notes = self._evaluate(params, in_segs, max_mapnr, base)
        classes = {}
        for pfn in self.ram_pfns:
            classes.setdefault(self.labels.get(pfn, 'kernel'), []).append(pfn)
        t = dict(
            format='vmcoregen-truth', version=1,
            semantics='makedumpfile upstream (HEAD) page classification',
            page_size=PAGE_SIZE,
            profile=self.profile.name, osrelease=self.osrelease,
            max_mapnr=max_mapnr,
            ram=to_ranges(self.ram_pfns),
            bitmap1=to_ranges(bm1),
            data=to_ranges(base),
            zero=to_ranges(zero),
            levels={str(L): to_ranges(levels[L]) for L in range(32)},
            fail_levels=sorted(fail),
            by_bit={str(b): to_ranges(levels[b] - levels[0]) for b in (2, 4, 8, 16)},
            always=to_ranges(levels[0]),
            classes={k: to_ranges(v) for k, v in sorted(classes.items())},
            loads=[dict(kind=ld['kind'], paddr=ld['paddr'], memsz=ld['memsz'],
                        filesz=ld['filesz'], vaddr=ld['vaddr'] & MASK64, offset=ld['offset'])
                   for ld in loads],
            params=params,
            notes=notes,
            meta=dict(
                kernel_phys=self.kernel_phys, kernel_size=self.kernel_size,
                phys_base=self.phys_base, kaslr=self.kaslr,
                page_offset=self.page_offset, vmemmap_base=self.vmemmap_base,
                paging=self.paging, memmap=self.memmap, vmemmap_pages=self.vmemmap_pages,
                init_top_pgt_pa=self.pt.root,
                symbols={k: v for k, v in sorted(self.sym.items())},
                present_sections=self.present_sections if self.sparse else [],
                free_blocks=[[h, o] for h, o, m in self.free_blocks],
            ),
            vmcoreinfo=self.vmcoreinfo,
            vmcoreinfo_in_note=self.vmcoreinfo_in_note,
        )
        if self.memmap == 'discontig':
            t['meta']['nodes'] = [dict(nid=n['nid'], start_pfn=n['start'], end_pfn=n['end'],
                                       pglist_data=n['pgdat_va'], node_mem_map=n['mem_map_va'])
                                  for n in self.nodes]
        return t

    def _evaluate(self, P, in_segs, max_mapnr, base):
        """Apply makedumpfile's __exclude_unnecessary_pages() rules to the
        struct pages as written, for all 32 dump levels."""
        notes = []
        spp = self.section_pfns
        # mem_map_data ranges
        if self.memmap == 'flat':
            mm_ranges = [(0, max_mapnr)]
        elif self.memmap == 'discontig':
            mm_ranges = sorted((n['start'], min(n['end'], max_mapnr)) for n in self.nodes
                               if n['start'] < max_mapnr)
        else:
            mm_ranges = []
            for sec in range(-(-max_mapnr // spp)):
                if sec in self.present_sections:
                    mm_ranges.append((sec * spp, min((sec + 1) * spp, max_mapnr)))
        segs_sorted = sorted(in_segs)

        def rd(pfn):
            return self.struct_page_bytes(pfn) if pfn in self.sp else bytes(self.spsz)

        def fld(b, off, size):
            if off is None:
                return 0
            return int.from_bytes(b[off:off + size], 'little')

        # pre-decode
        dec = {}
        for pfn in segs_sorted:
            b = rd(pfn)
            flags = fld(b, P['off_flags'], 8)
            mapping = fld(b, P['off_mapping'], 8)
            mapcount = fld(b, P['off_mapcount'], 4)
            private = fld(b, P['off_private'], 8)
            count = fld(b, P['off_count'], 4)
            chead = fld(b, P['off_compound_head'], 8)
            order = dtor = 0
            is_hugetlb = False
            if pfn % PGMM_CACHED != PGMM_CACHED - 1 and flags & P['head_mask']:
                nb = rd(pfn + 1)
                if P['order_src'] == 'flags1':
                    f1 = fld(nb, P['off_flags'], 8)
                    order = f1 & 0xff
                    if P['hugetlb_kind'] == 'type':
                        is_hugetlb = mapcount == P['hugetlb_value']
                    elif P['hugetlb_kind'] == 'flag':
                        is_hugetlb = bool(f1 >> P['hugetlb_value'] & 1)
                else:
                    if P['order_src'] == 'field' and P['off_compound_order']:
                        order = fld(nb, P['off_compound_order'], P['order_w'])
                    if P['hugetlb_kind'] == 'dtor' and P['off_compound_dtor']:
                        dtor = fld(nb, P['off_compound_dtor'], P['dtor_w'])
                        is_hugetlb = dtor == P['hugetlb_value']
                if order >= 64 or pfn & ((1 << order) - 1):
                    order = 0

            def bit(n):
                return n is not None and bool(flags >> n & 1)
            slab = bit(P['pg_slab']) or (P['slab_mapcount'] is not None and
                                         mapcount == P['slab_mapcount'])
            anon = bool(mapping & 1) and not slab
            lru = bit(P['pg_lru'])
            swapcache = bit(P['pg_swapcache'])
            swapbacked = bit(P['pg_swapbacked'])
            cache = lru or ((P['pg_swapbacked'] is None or swapbacked) and swapcache)
            dec[pfn] = dict(
                tail=bool(chead & 1) and P['off_compound_head'] is not None,
                buddy=((P['buddy_kind'] == 'mapcount' and not slab and mapcount == P['buddy_value']) or
                       (P['buddy_kind'] == 'pg_buddy' and bit(P['pg_buddy'])) or
                       (P['buddy_kind'] == 'private_count' and bit(P['pg_private']) and
                        count == 0xffffffff)),
                private=private,
                cache=cache, priv=bit(P['pg_private']), anon=anon,
                hugetlb=is_hugetlb,
                unaccepted=P['unaccepted_value'] is not None and mapcount == P['unaccepted_value'],
                hwpoison=P['pg_hwpoison'] is not None and bit(P['pg_hwpoison']),
                offline=P['offline_value'] is not None and not slab and mapcount == P['offline_value'],
                order=order)
        freelist_blocks = None
        if not P['buddy_handler']:
            if P['freelist_ok']:
                freelist_blocks = []
                for (z, order, mt), heads in self.zone_lists.items():
                    freelist_blocks.extend((h, order) for h in heads)
                notes.append('no page_is_buddy handler: free pages come from the zone free lists')
            else:
                notes.append('no page_is_buddy handler and no free-list symbols: -d 16 fails upstream')
        results = {}
        fail = set()
        for combo in range(16):
            level = ((combo & 1) and 2) | ((combo & 2) and 4) | ((combo & 4) and 8) | ((combo & 8) and 16)
            ex = set()
            runs = (level & (2 | 4 | 8)) or P['pg_hwpoison'] is not None or \
                   ((level & 16) and P['buddy_handler'])
            if runs:
                for ps, pe in mm_ranges:
                    pfn = ps
                    while pfn < pe:
                        d = dec.get(pfn)
                        if d is None:
                            pfn += 1
                            continue
                        nr = 1 << d['order']
                        if d['tail']:
                            pfn += 1
                            continue
                        hit = True
                        if (level & 16) and P['buddy_handler'] and d['buddy']:
                            if P['free_area_len'] is not None and d['private'] >= P['free_area_len']:
                                pfn += 1
                                continue
                            nr = 1 << min(d['private'], 63)
                        elif (level & 16) and d['unaccepted'] and P['free_area_len']:
                            nr = 1 << (P['free_area_len'] - 1)
                        elif (level & 2) and d['cache'] and not d['priv'] and not d['anon']:
                            pass
                        elif (level & 4) and d['cache'] and not d['anon']:
                            pass
                        elif (level & 8) and (d['anon'] or d['hugetlb']):
                            pass
                        elif d['hwpoison']:
                            pass
                        elif d['offline']:
                            pass
                        else:
                            hit = False
                        if not hit:
                            pfn += 1
                            continue
                        if nr == 1:
                            ex.add(pfn)
                        else:
                            ex.update(range(pfn, min(pfn + nr, max_mapnr)))
                            pfn += nr - 1
                        pfn += 1
            if level & 16 and not P['buddy_handler']:
                if freelist_blocks is None:
                    fail.add(level)
                else:
                    for h, o in freelist_blocks:
                        ex.update(range(h, min(h + (1 << o), max_mapnr)))
            results[level] = ex & base
        levels = {}
        for L in range(32):
            levels[L] = results[L & ~1]
        fail_all = set()
        for L in range(32):
            if (L & ~1) in fail:
                fail_all.add(L)
        return levels, fail_all, notes


def _note(name, ntype, desc):
    n = name + b'\0'
    return (struct.pack('<III', len(n), len(desc), ntype) + n + bytes(-len(n) % 4) +
            desc + bytes(-len(desc) % 4))


# ---------------------------------------------------------------------------
# how a makedumpfile-compatible filter reads VMCOREINFO (with upstream's
# fallbacks for missing keys)
# ---------------------------------------------------------------------------

def parse_vmcoreinfo(text_or_lines):
    if isinstance(text_or_lines, str):
        d = {}
        for line in text_or_lines.splitlines():
            if '=' in line:
                k, v = line.split('=', 1)
                d[k] = v
        return d
    return dict(text_or_lines)


def _num(d, key):
    v = d.get(key)
    if v is None:
        return None
    v = v.strip()
    try:
        return int(v, 16) if v.lower().startswith(('0x', '-0x')) else int(v, 10)
    except ValueError:
        m = re.match(r'-?\d+', v)
        return int(m.group(0)) if m else None


def filter_params(vmcoreinfo, version):
    """The filter parameters our makedumpfile derives from VMCOREINFO (the
    note, or the -i file), in its documented order: what VMCOREINFO says
    wins; what it lacks comes from what is known of the kernel generation
    that OSRELEASE names (era_facts(), from the kernel sources), except
    PG_hwpoison, which depends on the config and is never assumed; for an
    OSRELEASE that names no version, upstream makedumpfile's own defaults
    apply and free pages come from the zone free lists."""
    d = parse_vmcoreinfo(vmcoreinfo)
    P = {}
    n = lambda k: _num(d, 'NUMBER(%s)' % k)

    def off(name):
        return _num(d, 'OFFSET(%s)' % name)

    def either(val, default):
        return val if val is not None else default
    tv = release_version(d.get('OSRELEASE', ''))
    E = era_facts(tv) if tv is not None else None
    if E is not None and tv > (7, 1, 255):
        E = era_facts((7, 1, 0))              # newer: the newest generation known
    P['table_version'] = tv
    EO = E['off'] if E else {}
    ver = tv or version                       # what picks version-dependent widths
    size_page = _num(d, 'SIZE(page)')
    P['off_flags'] = either(off('page.flags'), EO.get('flags'))
    P['off_mapping'] = either(off('page.mapping'), EO.get('mapping'))
    P['off_count'] = either(off('page._refcount'), either(off('page._count'), EO.get('count')))
    P['off_mapcount'] = either(off('page._mapcount'), EO.get('mapcount'))
    P['off_private'] = either(off('page.private'), EO.get('private'))
    P['off_lru'] = either(off('page.lru'), EO.get('lru'))
    ch = either(off('page.compound_info'), off('page.compound_head'))   # 7.1 rename
    P['off_compound_head'] = either(ch, EO.get('compound_head'))
    # -- PG_* bits -----------------------------------------------------------
    pg = E['pg'] if E else {}
    P['pg_lru'] = either(n('PG_lru'), pg.get('lru', 5))
    P['pg_private'] = either(n('PG_private'), pg.get('private', 11))
    P['pg_swapcache'] = either(n('PG_swapcache'), pg.get('swapcache', 15))
    sb = n('PG_swapbacked')
    if sb is None and E is not None:
        # before 4.10 PG_swapcache is a flag of its own: no PG_swapbacked needed
        sb = pg.get('swapbacked') if tv >= (4, 10, 0) else None
    elif sb is None and P['pg_swapcache'] < P['pg_private']:
        sb = P['pg_private'] + 6              # upstream's rule for unknown kernels
    P['pg_swapbacked'] = sb
    P['pg_slab'] = either(n('PG_slab'), pg.get('slab', 7) if E is None or 'slab' in pg else None)
    hm = n('PG_head_mask')
    if hm is None:
        hm = 1 << (E['head_bit'] if E else 14)
    P['head_mask'] = hm & MASK64
    P['pg_hwpoison'] = n('PG_hwpoison')       # never assumed
    # -- free blocks -----------------------------------------------------------
    bv = n('PAGE_BUDDY_MAPCOUNT_VALUE')
    P['buddy_kind'] = None
    P['buddy_value'] = None
    P['pg_buddy'] = None
    if P['off_private'] is not None:
        if bv is not None:
            if P['off_mapcount'] is not None:
                P['buddy_kind'] = 'mapcount'
                P['buddy_value'] = bv & 0xffffffff
        elif n('PG_buddy') is not None:
            P['buddy_kind'] = 'pg_buddy'
            P['pg_buddy'] = n('PG_buddy')
        elif E is not None:
            P['buddy_kind'] = E['free_marker']
            if E['free_marker'] == 'mapcount':
                if P['off_mapcount'] is None:
                    P['buddy_kind'] = None
                else:
                    P['buddy_value'] = E['buddy_value']
            elif E['free_marker'] == 'pg_buddy':
                P['pg_buddy'] = E['pg']['buddy']
            elif P['off_count'] is None:
                P['buddy_kind'] = None
    P['buddy_handler'] = P['buddy_kind'] is not None
    T = E['types'] if E else {}

    def ptype(key, era_key):
        v = n(key)
        if v is None:
            v = T.get(era_key)
        return None if v is None else v & 0xffffffff
    P['offline_value'] = ptype('PAGE_OFFLINE_MAPCOUNT_VALUE', 'offline')
    P['slab_mapcount'] = ptype('PAGE_SLAB_MAPCOUNT_VALUE', 'slab')
    P['unaccepted_value'] = ptype('PAGE_UNACCEPTED_MAPCOUNT_VALUE', 'unaccepted')
    # -- compound order and hugetlb (upstream's order of preference) ----------
    P['hugetlb_kind'] = None
    P['hugetlb_value'] = None
    P['order_src'] = 'none'
    P['off_compound_order'] = P['off_compound_dtor'] = None
    P['order_w'] = P['dtor_w'] = 0
    compound_keys = any(k in d for k in (
        'OFFSET(page.compound_order)', 'OFFSET(page.compound_dtor)',
        'OFFSET(folio._folio_order)', 'OFFSET(folio._folio_dtor)',
        'NUMBER(HUGETLB_PAGE_DTOR)'))
    if n('PAGE_HUGETLB_MAPCOUNT_VALUE') is not None:
        P['order_src'] = 'flags1'
        P['hugetlb_kind'] = 'type'
        P['hugetlb_value'] = n('PAGE_HUGETLB_MAPCOUNT_VALUE') & 0xffffffff
    elif n('PG_hugetlb') is not None:
        P['order_src'] = 'flags1'
        P['hugetlb_kind'] = 'flag'
        P['hugetlb_value'] = n('PG_hugetlb')
    elif E is not None and E['compound'] == 'flags1' and not compound_keys:
        P['order_src'] = 'flags1'
        if E['hugetlb_style'] == 'type':
            P['hugetlb_kind'] = 'type'
            P['hugetlb_value'] = E['types']['hugetlb']
        elif E['hugetlb_style'] == 'flag':
            P['hugetlb_kind'] = 'flag'
            P['hugetlb_value'] = E['pg']['hugetlb']
    else:
        if off('folio._folio_order') is not None and size_page is not None:
            P['off_compound_order'] = off('folio._folio_order') - size_page
        elif off('page.compound_order') is not None:
            P['off_compound_order'] = off('page.compound_order')
        elif E is not None and E['compound'] != 'flags1':
            P['off_compound_order'] = E['off']['order'] if ver >= (4, 4, 0) else \
                (P['off_lru'] + 8 if P['off_lru'] is not None else None)
        if off('folio._folio_dtor') is not None and size_page is not None:
            P['off_compound_dtor'] = off('folio._folio_dtor') - size_page
        elif off('page.compound_dtor') is not None:
            P['off_compound_dtor'] = off('page.compound_dtor')
        elif E is not None and E['compound'] != 'flags1':
            P['off_compound_dtor'] = E['off']['dtor'] if ver >= (4, 4, 0) else P['off_lru']
        if P['off_compound_order'] is not None:
            P['order_src'] = 'field'
        # widths: upstream reads 8 bits from 4.16, 16 before (the pre-4.4
        # lru.prev word holds a small order, so 16 bits of it are enough);
        # a pre-4.4 dtor is a function pointer
        P['order_w'] = 1 if ver >= (4, 16, 0) else 2
        P['dtor_w'] = 1 if ver >= (4, 16, 0) else 2 if ver >= (4, 4, 0) else 8
        if (P['off_compound_order'] is not None and P['off_compound_dtor'] is not None and
                abs(P['off_compound_order'] - P['off_compound_dtor']) == 1):
            P['order_w'] = P['dtor_w'] = 1
        hd = n('HUGETLB_PAGE_DTOR')
        fhp = _num(d, 'SYMBOL(free_huge_page)') if 'SYMBOL(free_huge_page)' in d else None
        if fhp is not None:
            fhp = int(d['SYMBOL(free_huge_page)'], 16)
        if hd is not None:
            P['hugetlb_kind'], P['hugetlb_value'] = 'dtor', hd
        elif fhp is not None and ver < (4, 4, 0):
            # a destructor address compares with a pointer dtor (before 4.4)
            P['hugetlb_kind'], P['hugetlb_value'] = 'dtor', fhp
        elif E is not None and E['hugetlb_style'] == 'dtor_id':
            # 4.4: the dtor is an id (include/linux/mm.h enum compound_dtor_id);
            # the SYMBOL(free_huge_page) 4.3/4.4 still export cannot match it
            P['hugetlb_kind'], P['hugetlb_value'] = 'dtor', E['dtor_ids']['hugetlb']
        elif fhp is not None:
            P['hugetlb_kind'], P['hugetlb_value'] = 'dtor', fhp
        if P['off_compound_dtor'] is None:
            P['hugetlb_kind'] = None
    P['free_area_len'] = _num(d, 'LENGTH(zone.free_area)')
    syms = any(('SYMBOL(%s)' % s) in d for s in ('node_data', 'pgdat_list', 'contig_page_data'))
    need = ['SIZE(zone)', 'OFFSET(zone.free_area)', 'OFFSET(zone.spanned_pages)',
            'OFFSET(pglist_data.node_zones)', 'OFFSET(pglist_data.nr_zones)', 'SIZE(free_area)',
            'OFFSET(free_area.free_list)', 'OFFSET(list_head.next)', 'OFFSET(list_head.prev)',
            'OFFSET(page.lru)', 'LENGTH(zone.free_area)']
    P['freelist_ok'] = syms and all(k in d for k in need) and \
        ('OFFSET(zone.vm_stat)' in d or 'OFFSET(zone.free_pages)' in d)
    return P


# ---------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------

def release_version(release):
    """(major, minor, patch) from an OSRELEASE string, or None if it does
    not start with one."""
    m = re.match(r'(\d+)\.(\d+)(?:\.(\d+))?', release)
    if not m:
        return None
    return (int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))


def build(desc):
    """Parse (if text) and build the in-memory model; returns the Generator."""
    spec = desc if isinstance(desc, Spec) else parse_description(desc)
    g = Generator(spec)
    g.build()
    return g


def generate(desc, out_path, truth_path=None, check=True):
    """Write the ELF vmcore to out_path and the truth JSON to truth_path
    (default out_path + '.truth.json'); return the truth dict."""
    g = build(desc)
    g.write_elf(out_path)
    t = g.truth()
    if check:
        _check_intent(g, t)
    if truth_path is None:
        truth_path = out_path + '.truth.json'
    if truth_path:
        with open(truth_path, 'w') as f:
            json.dump(t, f, indent=1, sort_keys=True)
            f.write('\n')
    return t


def load_truth(path):
    with open(path) as f:
        return json.load(f)


def expected_kept(truth, dump_level, fmt='kdump'):
    """Set of pfns the filtered dump keeps for `dump_level`.

    fmt='kdump': bitmap 2 of a kdump-compressed file (zero pages stay in the
                 bitmap and share the zero page when bit 1 is set).
    fmt='bitmap': same as kdump but zero pages removed when bit 1 is set
                 (ELF/--mem-usage view of the bitmap).
    fmt='elf':   pfns that have file data in makedumpfile's ELF output (the
                 bitmap view plus runs of < 256 excluded pages that are
                 followed by a kept page within the same input PT_LOAD).
    """
    L = int(dump_level)
    base = from_ranges(truth['data'])
    kept = base - from_ranges(truth['levels'][str(L)])
    if fmt == 'kdump':
        return kept
    if L & 1:
        kept -= from_ranges(truth['zero'])
    if fmt == 'bitmap':
        return kept
    if fmt != 'elf':
        raise ValueError('fmt must be kdump, bitmap or elf')
    out = set()
    for ld in truth['loads']:
        s = ld['paddr']
        e = s + ld['memsz']
        pfn_start = s >> PAGE_SHIFT
        pfn_end = (e >> PAGE_SHIFT) + (1 if e % PAGE_SIZE else 0)
        excluded_run = []
        for pfn in range(pfn_start, pfn_end):
            if pfn not in kept:
                excluded_run.append(pfn)
                continue
            if excluded_run and len(excluded_run) < 256:
                out.update(excluded_run)
            excluded_run = []
            out.add(pfn)
    return out


def excluded(truth, dump_level, fmt='kdump'):
    """RAM pfns with file data that the filtered dump drops."""
    return from_ranges(truth['data']) - expected_kept(truth, dump_level, fmt)


def _check_intent(g, t):
    """Cross-check: the rule evaluation on the written struct pages must
    agree with each page class's documented meaning (only for plain
    descriptions: no traps/overrides/dropped or changed keys)."""
    sp = g.spec
    if sp.drop_keys or sp.set_keys or sp.keep_keys is not None:
        return
    levels = {L: from_ranges(t['levels'][str(L)]) for L in (2, 4, 8, 16)}
    always = from_ranges(t['levels']['0'])
    data = from_ranges(t['data'])
    intent = {'free': 16, 'cache': 2 | 4, 'cache_private': 4, 'swapcache': 2 | 4,
              'anon': 8, 'anon_swapcache': 8, 'thp': 8, 'hugetlb': 8, 'unaccepted': 16}
    P = t['params']
    for r in g.runs:
        o = r['opts']
        if any(k in o for k in ('trap', 'mapcount', 'private', 'mapping', 'flags', 'noalign')):
            continue
        cls = r['cls']
        for head, order in r['blocks']:
            pf = [p for p in range(head, head + (1 << order)) if p in data]
            if not pf:
                continue
            hwp = (cls == 'hwpoison' or 'hwpoison' in o) and P['pg_hwpoison'] is not None
            want_always = hwp or (cls == 'offline' and P['offline_value'] is not None)
            if cls == 'free' and order >= g.profile.max_order:
                bits = 0
            elif cls == 'hugetlb' and P['hugetlb_kind'] is None:
                bits = 0                 # no way to tell hugetlb pages (e.g. before 4.3)
            else:
                bits = intent.get(cls, 0)
            for p in pf:
                if (p in always) != want_always:
                    raise GenError('internal: pfn %#x (%s, line %d) always-excluded=%s, expected %s'
                                   % (p, cls, r['line'], p in always, want_always))
                if want_always:
                    continue
                for b in (2, 4, 8, 16):
                    if (p in levels[b]) != bool(bits & b):
                        raise GenError('internal: pfn %#x (%s, line %d) level %d excluded=%s'
                                       % (p, cls, r['line'], b, p in levels[b]))


def _fmt_ranges(ranges):
    return ' '.join('%#x' % a if b == a + 1 else '%#x-%#x' % (a, b - 1) for a, b in ranges)


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog='vmcoregen.py',
        description='Generate a synthetic x86_64 ELF vmcore and its ground truth.')
    sub = ap.add_subparsers(dest='cmd')
    g = sub.add_parser('gen', help='DESC -> ELF vmcore + truth JSON')
    g.add_argument('desc', help='description file ("-" for stdin)')
    g.add_argument('-o', '--out', required=True, help='output ELF path')
    g.add_argument('--truth', help='truth path (default OUT.truth.json; "" for none)')
    g.add_argument('--seed', type=int, help='override the seed directive')
    g.add_argument('-q', '--quiet', action='store_true')
    k = sub.add_parser('kept', help='print the pfns kept at a dump level')
    k.add_argument('truth')
    k.add_argument('level', type=int)
    k.add_argument('--format', default='kdump', choices=('kdump', 'bitmap', 'elf'))
    k.add_argument('--excluded', action='store_true', help='print excluded pfns instead')
    v = sub.add_parser('vmcoreinfo', help='print the VMCOREINFO text of a description')
    v.add_argument('desc')
    args = ap.parse_args(argv)
    if args.cmd is None:
        ap.print_help()
        return 2
    try:
        if args.cmd == 'gen':
            text = sys.stdin.read() if args.desc == '-' else open(args.desc).read()
            spec = parse_description(text)
            if args.seed is not None:
                spec.seed = args.seed
            t = generate(spec, args.out, args.truth)
            if not args.quiet:
                nd = len(from_ranges(t['data']))
                print('%s: %d RAM pfns with data, %d zero; kept at -d 31: %d'
                      % (args.out, nd, len(from_ranges(t['zero'])), len(expected_kept(t, 31))))
        elif args.cmd == 'kept':
            t = load_truth(args.truth)
            s = excluded(t, args.level, args.format) if args.excluded else \
                expected_kept(t, args.level, args.format)
            print(_fmt_ranges(to_ranges(s)))
        elif args.cmd == 'vmcoreinfo':
            gg = build(open(args.desc).read())
            sys.stdout.write(gg.vmcoreinfo)
    except GenError as e:
        print('vmcoregen: %s' % e, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
