#!/usr/bin/python3
"""vmcoregen - synthetic x86_64 ELF vmcores with ground truth.

Builds a small ELF64 little-endian ET_CORE file shaped like the capture
kernel's /proc/vmcore (merged PT_NOTE with CORE/NT_PRSTATUS notes and a
VMCOREINFO note, a kernel-text PT_LOAD overlapping RAM, one PT_LOAD per RAM
range) from a short text description, together with a JSON "truth" file that
lists, for every dump level, the pfns that upstream makedumpfile semantics
exclude.  The memory image is self-consistent: real x86_64 4/5-level page
tables rooted at init_top_pgt map the kernel image, the direct map and the
vmemmap; mem_section (SPARSEMEM_EXTREME or static SPARSEMEM) or mem_map
(FLATMEM) describe every RAM pfn's struct page; zones carry real buddy free
lists.

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


def _vmcoreinfo_6_1(g):
    """VMCOREINFO lines, in the order v6.1 kernel/crash_core.c,
    kernel/printk/printk.c and arch/x86/kernel/crash_core_64.c emit them.
    Structure sizes/offsets not used for struct page are the values of a
    real 6.2.15 x86_64 kernel (same code as 6.1)."""
    p = g.profile
    o = p.page_off
    L = []

    def sym(name, val):
        L.append(('SYMBOL(%s)' % name, '%x' % val))

    def num(name, val):
        L.append(('NUMBER(%s)' % name, '%d' % _signed64(val)))

    L.append(('OSRELEASE', g.osrelease))
    L.append(('BUILD-ID', g.build_id))
    L.append(('PAGESIZE', '%d' % PAGE_SIZE))
    sym('init_uts_ns', g.sym['init_uts_ns'])
    L.append(('OFFSET(uts_namespace.name)', '0'))
    sym('node_online_map', g.sym['node_online_map'])
    sym('swapper_pg_dir', g.sym['init_top_pgt'])
    sym('_stext', g.sym['_stext'])
    sym('vmap_area_list', g.sym['vmap_area_list'])
    if not g.numa:
        sym('mem_map', g.sym['mem_map'])
        sym('contig_page_data', g.sym['contig_page_data'])
    if g.memmap != 'flat':
        sym('mem_section', g.sym['mem_section'])
        L.append(('LENGTH(mem_section)', '%d' % g.nr_section_roots))
        L.append(('SIZE(mem_section)', '%d' % g.mem_section_size))
        L.append(('OFFSET(mem_section.section_mem_map)', '0'))
        num('SECTION_SIZE_BITS', p.section_size_bits)
        num('MAX_PHYSMEM_BITS', g.max_physmem_bits)
    s = p.sizes
    L.append(('SIZE(page)', '%d' % p.struct_page_size))
    L.append(('SIZE(pglist_data)', '%d' % s['pglist_data']))
    L.append(('SIZE(zone)', '%d' % s['zone']))
    L.append(('SIZE(free_area)', '%d' % s['free_area']))
    L.append(('SIZE(list_head)', '16'))
    L.append(('SIZE(nodemask_t)', '%d' % s['nodemask_t']))
    for f in ('flags', '_refcount', 'mapping', 'lru', '_mapcount', 'private',
              'compound_dtor', 'compound_order', 'compound_head'):
        L.append(('OFFSET(page.%s)' % f, '%d' % o[f]))
    po = p.pgdat_off
    L.append(('OFFSET(pglist_data.node_zones)', '%d' % po['node_zones']))
    L.append(('OFFSET(pglist_data.nr_zones)', '%d' % po['nr_zones']))
    if g.memmap == 'flat':
        L.append(('OFFSET(pglist_data.node_mem_map)', '%d' % po['node_mem_map']))
    L.append(('OFFSET(pglist_data.node_start_pfn)', '%d' % po['node_start_pfn']))
    L.append(('OFFSET(pglist_data.node_spanned_pages)', '%d' % po['node_spanned_pages']))
    L.append(('OFFSET(pglist_data.node_id)', '%d' % po['node_id']))
    zo = p.zone_off
    L.append(('OFFSET(zone.free_area)', '%d' % zo['free_area']))
    L.append(('OFFSET(zone.vm_stat)', '%d' % zo['vm_stat']))
    L.append(('OFFSET(zone.spanned_pages)', '%d' % zo['spanned_pages']))
    L.append(('OFFSET(free_area.free_list)', '0'))
    L.append(('OFFSET(list_head.next)', '0'))
    L.append(('OFFSET(list_head.prev)', '8'))
    L.append(('OFFSET(vmap_area.va_start)', '0'))
    L.append(('OFFSET(vmap_area.list)', '40'))
    L.append(('LENGTH(zone.free_area)', '%d' % p.max_order))
    # log_buf_vmcoreinfo_setup() (lockless ring buffer, 5.10+)
    sym('prb', g.sym['prb'])
    sym('printk_rb_static', g.sym['printk_rb_static'])
    sym('clear_seq', g.sym['clear_seq'])
    for k, v in p.printk_keys:
        L.append((k, v))
    L.append(('LENGTH(free_area.free_list)', '%d' % p.migrate_types))
    num('NR_FREE_PAGES', 0)
    pg = p.pg
    num('PG_lru', pg['lru'])
    num('PG_private', pg['private'])
    num('PG_swapcache', pg['owner_priv_1'])
    num('PG_swapbacked', pg['swapbacked'])
    num('PG_slab', pg['slab'])
    num('PG_hwpoison', pg['hwpoison'])
    num('PG_head_mask', 1 << pg['head'])
    num('PAGE_BUDDY_MAPCOUNT_VALUE', p.page_type['buddy'])
    num('HUGETLB_PAGE_DTOR', p.dtor['hugetlb'])
    num('PAGE_OFFLINE_MAPCOUNT_VALUE', p.page_type['offline'])
    for k in ('kallsyms_names', 'kallsyms_num_syms', 'kallsyms_token_table',
              'kallsyms_token_index', 'kallsyms_offsets', 'kallsyms_relative_base'):
        sym(k, g.sym[k])
    # arch_crash_save_vmcoreinfo() (x86_64)
    num('phys_base', g.phys_base)
    sym('init_top_pgt', g.sym['init_top_pgt'])
    L.append(('NUMBER(pgtable_l5_enabled)', '%d' % (1 if g.paging == 5 else 0)))
    if g.numa:
        sym('node_data', g.sym['node_data'])
        L.append(('LENGTH(node_data)', '%d' % p.max_numnodes))
    L.append(('KERNELOFFSET', '%x' % g.kaslr))
    num('KERNEL_IMAGE_SIZE', KERNEL_IMAGE_SIZE)
    num('sme_mask', g.sme_mask)
    # crash_save_vmcoreinfo() at crash time
    L.append(('CRASHTIME', '%d' % g.crashtime))
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

PROFILES = {
    # v6.1 x86_64, Debian-like config: SPARSEMEM_VMEMMAP+EXTREME, NUMA
    # (NODES_SHIFT 10), MEMORY_FAILURE, X86_PAT (PG_uncached), HUGETLB, THP,
    # PAGE_EXTENSION (mem_section is 32 bytes), X86_5LEVEL.
    # PG_* from include/linux/page-flags.h (v6.1 / Debian 6.1.0-55 headers);
    # struct page from include/linux/mm_types.h; page_type base 0xf0000000
    # with PG_buddy 0x80, PG_offline 0x100 cleared; compound_dtor_id
    # NULL=0 COMPOUND=1 HUGETLB=2 TRANSHUGE=3.
    '6.1': Profile(
        name='6.1',
        version=(6, 1, 0),
        osrelease='6.1.0-gen-amd64',
        vmcoreinfo=_vmcoreinfo_6_1,
        struct_page_size=64,
        page_off=dict(flags=0, lru=8, compound_head=8, compound_dtor=16,
                      compound_order=17, compound_mapcount=20,
                      compound_pincount=24, compound_nr=28, mapping=24,
                      index=32, private=40, _mapcount=48, _refcount=52,
                      memcg_data=56),
        pg=dict(locked=0, referenced=1, uptodate=2, dirty=3, lru=4, active=5,
                workingset=6, waiters=7, error=8, slab=9, owner_priv_1=10,
                arch_1=11, reserved=12, private=13, private_2=14,
                writeback=15, head=16, mappedtodisk=17, reclaim=18,
                swapbacked=19, unevictable=20, mlocked=21, uncached=22,
                hwpoison=23),
        page_type=dict(buddy=~0x80, offline=~0x100),
        dtor=dict(null=0, compound=1, hugetlb=2, transhuge=3),
        max_order=11,                   # LENGTH(zone.free_area) = MAX_ORDER
        migrate_types=6,                # LENGTH(free_area.free_list)
        max_numnodes=1024,
        section_size_bits=27,
        default_mem_section_size=32,
        tail_mapping=0xdead000000000400,  # TAIL_MAPPING with POISON_POINTER_DELTA
        sizes=dict(pglist_data=175168, zone=1728, free_area=104, nodemask_t=128),
        pgdat_off=dict(node_zones=0, nr_zones=172512, node_mem_map=172504,
                       node_start_pfn=172520, node_present_pages=172528,
                       node_spanned_pages=172536, node_id=172544),
        zone_off=dict(spanned_pages=144, present_pages=152, free_area=256,
                      vm_stat=1536, name=208),
        nr_zones_max=5,                 # DMA, DMA32, Normal, Movable, Device
        # page->flags upper fields (SPARSEMEM_VMEMMAP: no section field):
        # | node:10 @54 | zone:3 @51 | last_cpupid:21 @30 |
        flags_layout_vmemmap=dict(node=(54, 10), zone=(51, 3), cpupid=(30, 21)),
        # classic SPARSEMEM: | section:19 @45 | node:10 @35 | zone:3 @32 |
        flags_layout_classic=dict(section=(45, 19), node=(35, 10), zone=(32, 3)),
        printk_keys=_PRINTK_KEYS_6_1,
        # encoders implemented in Generator._build_struct_pages():
        compound_style='page_fields',    # dtor/order bytes in the first tail (4.16-6.2)
        page_type_style='negated_bit',   # _mapcount == ~PG_x with base 0xf0000000 (4.18-6.10)
        slab_style='flag',               # PG_slab (before 6.10)
    ),
}


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
           'zero', 'kernel', 'reserved', 'owner_priv')
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
        self.vmemmap_pages = '2M'
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
                    raise GenError('unknown kernel profile %r (have %s)'
                                   % (args[0], ', '.join(sorted(PROFILES))))
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
                if args[0] not in ('sparse_extreme', 'sparse', 'flat'):
                    raise GenError('memmap must be sparse_extreme, sparse or flat')
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
                if sp.mem_section_size not in (16, 32):
                    raise GenError('mem_section_size must be 16 or 32')
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
        self.numa = spec.numa if spec.numa is not None else (self.memmap != 'flat')
        if self.memmap == 'flat' and self.numa:
            raise GenError('flat memmap is only supported with numa off')
        self.vmemmap_pages = spec.vmemmap_pages if self.memmap != 'flat' else 'none'
        if self.vmemmap_pages == 'none' and self.memmap != 'flat':
            self.vmemmap = False
        else:
            self.vmemmap = self.memmap != 'flat'
        self.mem_section_size = spec.mem_section_size or p.default_mem_section_size
        self.max_physmem_bits = spec.max_physmem_bits or (52 if self.paging == 5 else 46)
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
            dpo, dvm = 0xffff888000000000, 0xffffea0000000000
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

    def alloc_meta(self, n, align=1, label='meta'):
        """memblock-like top-down allocation of n contiguous free RAM pfns."""
        for a, b in sorted(self.ram, reverse=True):
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
            return self.flat_mem_map_va + pfn * 64
        if self.vmemmap:
            return self.vmemmap_base + pfn * 64
        sec = pfn // self.section_pfns
        return self.classic_map_va[sec] + (pfn - sec * self.section_pfns) * 64

    def page_pa(self, pfn):
        """physical address holding struct page of pfn (None if not backed)."""
        if self.memmap == 'flat':
            return self.flat_mem_map_pa + pfn * 64
        if self.vmemmap:
            off = pfn * 64
            vpage = off >> PAGE_SHIFT
            back = self.vmemmap_backing.get(vpage)
            if back is None:
                return None
            return (back << PAGE_SHIFT) + (off & 0xfff)
        sec = pfn // self.section_pfns
        base = self.classic_map_pa.get(sec)
        if base is None:
            return None
        return base + (pfn - sec * self.section_pfns) * 64

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
            if order and cls not in COMPOUND_OK and cls != 'free':
                raise GenError('line %d: class %s cannot have order>0' % (r['line'], cls))
            n = 1 << order
            if (b - a) % n:
                raise GenError('line %d: range is not a multiple of 2^order' % r['line'])
            if order and a % n and not opts.get('noalign') and cls != 'free':
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
        if self.memmap == 'sparse':
            S['mem_section'] = tv + lay['static_mem_section']

    def _present_sections(self):
        secs = sorted({pfn // self.section_pfns for pfn in self.ram_pfns})
        return secs

    def _alloc_memmap(self):
        """Place struct page arrays (vmemmap backing, classic per-section
        mem_map or the flat mem_map) in RAM."""
        spp = self.section_pfns
        self.present_sections = self._present_sections()
        self.vmemmap_backing = {}     # vmemmap page index -> backing pfn
        self.vmemmap_maps = []        # (va, pa, size)
        self.memmap_pfns = set()      # pfns that have a struct page
        if self.memmap == 'flat':
            n = _align_up(self.max_pfn * 64, PAGE_SIZE) >> PAGE_SHIFT
            pf = self.alloc_meta(n, label='mem_map')
            self.flat_mem_map_pa = pf[0] << PAGE_SHIFT
            self.flat_mem_map_va = self.dm_va(self.flat_mem_map_pa)
            self.memmap_pfns = set(range(0, self.max_pfn))
            return
        if not self.vmemmap:
            self.classic_map_pa = {}
            self.classic_map_va = {}
            for sec in self.present_sections:
                pf = self.alloc_meta(spp * 64 // PAGE_SIZE, label='mem_map')
                self.classic_map_pa[sec] = pf[0] << PAGE_SHIFT
                self.classic_map_va[sec] = self.dm_va(pf[0] << PAGE_SHIFT)
                self.memmap_pfns.update(range(sec * spp, (sec + 1) * spp))
            return
        vb = self.vmemmap_base
        mode = self.vmemmap_pages
        if mode == '2M':
            if vb % SZ_2M:
                raise GenError('vmemmap_base must be 2 MiB aligned for 2M vmemmap pages')
            for sec in self.present_sections:
                # one 2 MiB page holds exactly one section's memmap
                pf = self.alloc_meta(512, align=512, label='vmemmap')
                va = vb + sec * spp * 64
                self.vmemmap_maps.append((va, pf[0] << PAGE_SHIFT, SZ_2M))
                for i in range(512):
                    self.vmemmap_backing[(sec * spp * 64 >> PAGE_SHIFT) + i] = pf[i]
                self.memmap_pfns.update(range(sec * spp, (sec + 1) * spp))
        elif mode == '4K':
            populate = self.spec.vmemmap_populate or 'section'
            blocks = set()
            for pfn in self.ram_pfns:
                if populate == 'section':
                    blocks.add(pfn // spp * spp)
                else:
                    blocks.add(pfn // 512 * 512)
            step = spp if populate == 'section' else 512
            for blk in sorted(blocks):
                first = blk * 64 >> PAGE_SHIFT
                for i in range(step * 64 // PAGE_SIZE):
                    pf = self.alloc_meta(1, label='vmemmap')[0]
                    self.vmemmap_backing[first + i] = pf
                    self.vmemmap_maps.append((vb + ((first + i) << PAGE_SHIFT), pf << PAGE_SHIFT, PAGE_SIZE))
                self.memmap_pfns.update(range(blk, blk + step))
        elif mode == '1G':
            if vb % SZ_1G:
                raise GenError('vmemmap_base must be 1 GiB aligned for 1G vmemmap pages')
            pfns_per_1g = SZ_1G // 64
            blocks = sorted({pfn // 512 * 512 for pfn in self.ram_pfns})
            by_gpage = {}
            for blk in blocks:
                by_gpage.setdefault(blk // pfns_per_1g, []).append(blk)
            for gp, blks in sorted(by_gpage.items()):
                need = []
                for blk in blks:
                    off = (blk - gp * pfns_per_1g) * 64
                    need.extend(range(off >> PAGE_SHIFT, (off >> PAGE_SHIFT) + 8))
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
                self.claim_meta([found + q for q in need], 'vmemmap')
                self.vmemmap_maps.append((vb + gp * SZ_1G, found << PAGE_SHIFT, SZ_1G))
                for q in need:
                    self.vmemmap_backing[gp * (SZ_1G >> PAGE_SHIFT) + q] = found + q
                for blk in blks:
                    self.memmap_pfns.update(range(blk, blk + 512))

    def _alloc_mem_section(self):
        if self.memmap == 'flat':
            return
        spr = self.sections_per_root
        self.ms_root_pa = {}
        if self.memmap == 'sparse_extreme':
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
        if self.numa:
            pf = self.alloc_meta(_align_up(size, PAGE_SIZE) >> PAGE_SHIFT, label='pglist_data')
            self.pgdat_pa = pf[0] << PAGE_SHIFT
            self.pgdat_va = self.dm_va(self.pgdat_pa)
        else:
            self.pgdat_pa = self.kernel_phys + self.kimg['contig_page_data']
            self.pgdat_va = self.sym['contig_page_data']

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
        if self.vmemmap or self.memmap == 'flat':
            L = p.flags_layout_vmemmap
            v = (zone << L['zone'][0]) | (((1 << L['cpupid'][1]) - 1) << L['cpupid'][0])
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
        if (p.compound_style, p.page_type_style, p.slab_style) != ('page_fields', 'negated_bit', 'flag'):
            raise GenError('profile %s needs struct page encoders not written yet' % p.name)
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
            self.sp[pfn]['w8'] = va + 8
            self.sp[pfn]['w16'] = va + 8
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
        buddy = p.page_type['buddy'] & 0xffffffff
        offline = p.page_type['offline'] & 0xffffffff
        self.free_blocks = []           # (head, order, migratetype)
        for ri, r in enumerate(self.runs):
            cls, opts = r['cls'], r['opts']
            for bi, (head, order) in enumerate(r['blocks']):
                n = 1 << order
                compound = order > 0 and cls != 'free'
                for i in range(n):
                    pfn = head + i
                    s = self.sp[pfn]
                    s['flags'] = self._flags_upper(pfn)
                    s['refcount'] = 1
                    s['mapcount'] = 0xffffffff
                    s['w8'] = s['w16'] = 0
                    self.labels[pfn] = cls
                    va = self.page_va(pfn)
                    if compound and i > 0:
                        s['w8'] = self.page_va(head) | 1
                        s['refcount'] = 0
                        s['mapping'] = p.tail_mapping
                        if i == 1:
                            dtor = dict(hugetlb=dt['hugetlb'], thp=dt['transhuge'],
                                        anon=dt['transhuge']).get(cls, dt['compound'])
                            s['w16'] = dtor | (order << 8) | (0xffffffff << 32)
                            s['mapping'] = 0 | (n << 32)   # compound_pincount=0, compound_nr
                        if i == 2 and cls in ('thp', 'anon'):
                            s['mapping'] = va + 24          # deferred_list (empty)
                            s['index'] = va + 24
                        if 'hwpoison' in opts:
                            s['flags'] |= B('hwpoison')
                        continue
                    if cls == 'free':
                        s['refcount'] = 0
                        if i == 0:
                            s['mapcount'] = buddy
                            s['private'] = order
                            mt = 1 if (bi % 3) else 0       # MOVABLE mostly
                            self.free_blocks.append((head, order, mt))
                        else:
                            s['w8'] = 0xdead000000000100     # LIST_POISON1
                            s['w16'] = 0xdead000000000122    # LIST_POISON2
                    elif cls in ('kernel', 'zero', 'hwpoison'):
                        if cls == 'kernel' and order:
                            s['flags'] |= B('head')
                        if cls == 'hwpoison':
                            s['flags'] |= B('hwpoison')
                            s['refcount'] = 1
                    elif cls == 'reserved':
                        s['flags'] |= B('reserved')
                        s['w8'] = s['w16'] = va + 8
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
                        s['mapcount'] = 0 if pfn % 3 == 0 else 0xffffffff
                        s['w8'] = va + 8
                        s['w16'] = va + 8
                    elif cls == 'swapcache':
                        s['flags'] |= B('owner_priv_1') | B('swapbacked') | B('uptodate')
                        s['private'] = 0x3000 + pfn          # swp_entry_t
                        s['mapping'] = 0
                    elif cls in ('anon', 'anon_swapcache', 'thp'):
                        s['flags'] |= B('lru') | B('swapbacked') | B('uptodate') | B('active')
                        if cls == 'anon_swapcache':
                            s['flags'] |= B('owner_priv_1')
                            s['private'] = 0x5000 + pfn
                        if order:
                            s['flags'] |= B('head')
                        s['mapping'] = self._ptr('anon_vma', ri) | 1
                        s['index'] = 0x7f0000000 + pfn
                        s['mapcount'] = 0
                        s['w8'] = va + 8
                        s['w16'] = va + 8
                    elif cls == 'slab':
                        s['flags'] |= B('slab')
                        if order:
                            s['flags'] |= B('head')
                        kmem_cache = self._ptr('kmem_cache', ri, 256)
                        s['w8'] = va + 8          # slab_list
                        s['w16'] = va + 8
                        s['mapping'] = kmem_cache
                        s['index'] = self.dm_va(pfn << PAGE_SHIFT) + 0x40   # freelist
                        s['private'] = (16 | (32 << 16))    # inuse 16, objects 32
                        s['mapcount'] = 0xffffffff           # __unused
                    elif cls == 'hugetlb':
                        s['flags'] |= B('head') | B('uptodate')
                        if order == 0:
                            raise GenError('line %d: hugetlb needs order>0' % r['line'])
                        s['mapping'] = self._ptr('hugetlbfs', ri, 256)
                        s['index'] = bi
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
                                         else parse_int(v)) & 0xffffffff
                    if 'private' in opts:
                        s['private'] = parse_int(opts['private']) & MASK64
                    if 'mapping' in opts:
                        v = opts['mapping']
                        s['mapping'] = (self._ptr('anon_vma', ri) | 1 if v == 'anon'
                                        else self._ptr('address_space', ri, 256) if v == 'file'
                                        else parse_int(v)) & MASK64
                    if 'flags' in opts:
                        s['flags'] |= parse_int(opts['flags'])
        # metadata/kernel pages keep the 'reserved' default; compound tails
        # of free classes cannot exist

    def _build_free_lists(self):
        """Link buddy heads into zone free_area[order].free_list[mt] (page.lru)."""
        p = self.profile
        zo = p.zone_off
        self.zone_lists = {}
        for head, order, mt in self.free_blocks:
            if order >= p.max_order:
                continue       # a kernel would never have this; trap pages are not listed
            z = self.zone_of(head)
            self.zone_lists.setdefault((z, order, mt), []).append(head)
        zsize = p.sizes['zone']
        for (z, order, mt), heads in sorted(self.zone_lists.items()):
            zone_va = self.pgdat_va + p.pgdat_off['node_zones'] + z * zsize
            head_va = zone_va + zo['free_area'] + order * p.sizes['free_area'] + mt * 16
            nodes = [head_va] + [self.page_va(h) + p.page_off['lru'] for h in heads]
            for i, nva in enumerate(nodes):
                nxt = nodes[(i + 1) % len(nodes)]
                prv = nodes[i - 1]
                if i == 0:
                    pa = self.pgdat_pa + (head_va - self.pgdat_va)
                    self.wr64(pa, nxt)
                    self.wr64(pa + 8, prv)
                else:
                    s = self.sp[heads[i - 1]]
                    s['w8'], s['w16'] = nxt, prv
        # empty lists point to themselves; zone counters
        zones = {}
        for pfn in self.ram_pfns:
            zones.setdefault(self.zone_of(pfn), []).append(pfn)
        self.nr_zones = max(zones) + 1
        for z in range(p.nr_zones_max):
            zone_va = self.pgdat_va + p.pgdat_off['node_zones'] + z * zsize
            zpa = self.pgdat_pa + (zone_va - self.pgdat_va)
            for order in range(p.max_order):
                for mt in range(p.migrate_types):
                    off = zo['free_area'] + order * p.sizes['free_area'] + mt * 16
                    if (z, order, mt) not in self.zone_lists:
                        self.wr64(zpa + off, zone_va + off)
                        self.wr64(zpa + off + 8, zone_va + off)
                nr_free = sum(len(v) for (zz, o, m), v in self.zone_lists.items()
                              if zz == z and o == order)
                self.wr64(zpa + zo['free_area'] + order * p.sizes['free_area'] + 96, nr_free)
            if z in zones:
                zp = zones[z]
                self.wr64(zpa + zo['spanned_pages'] - 16, zp[0])        # zone_start_pfn
                self.wr64(zpa + zo['spanned_pages'] - 8, len(zp))       # managed_pages
                self.wr64(zpa + zo['spanned_pages'], zp[-1] + 1 - zp[0])
                self.wr64(zpa + zo['present_pages'], len(zp))
                free = sum((1 << o) * len(v) for (zz, o, m), v in self.zone_lists.items() if zz == z)
                self.wr64(zpa + zo['vm_stat'], free)  # vm_stat[NR_FREE_PAGES]
        po = p.pgdat_off
        self.wr32(self.pgdat_pa + po['nr_zones'], self.nr_zones)
        self.wr64(self.pgdat_pa + po['node_start_pfn'], self.ram[0][0] if self.memmap != 'flat' else 0)
        self.wr64(self.pgdat_pa + po['node_present_pages'], len(self.ram_pfns))
        self.wr64(self.pgdat_pa + po['node_spanned_pages'],
                  self.max_pfn - (self.ram[0][0] if self.memmap != 'flat' else 0))
        self.wr32(self.pgdat_pa + po['node_id'], 0)
        if self.memmap == 'flat':
            self.wr64(self.pgdat_pa + po['node_mem_map'], self.flat_mem_map_va)

    def struct_page_bytes(self, pfn):
        s = self.sp.get(pfn)
        if s is None:
            return bytes(64)
        return struct.pack('<QQQQQQIIQ', s['flags'] & MASK64, s['w8'] & MASK64,
                           s['w16'] & MASK64, s['mapping'] & MASK64, s['index'] & MASK64,
                           s['private'] & MASK64, s['mapcount'] & 0xffffffff,
                           s['refcount'] & 0xffffffff, s['memcg'] & MASK64)

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
        spp = self.section_pfns
        flags = SECTION_MARKED_PRESENT | SECTION_HAS_MEM_MAP | SECTION_IS_ONLINE | SECTION_IS_EARLY
        if self.memmap == 'sparse_extreme':
            for root, pa in self.ms_root_pa.items():
                self.wr64(self.ms_roots_pa + root * 8, self.dm_va(pa))
        for i, sec in enumerate(self.present_sections):
            start = sec * spp
            mm = self.page_va(start)
            coded = (mm - start * 64) & MASK64
            pa = self.section_pa(sec)
            self.wr64(pa, coded | flags)
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
        self.wr(kp + self.kimg['init_uts_ns'], uts)
        # node_online_map: node 0
        self.wr64(self.kimg_va_to_pa(self.sym['node_online_map']), 1)
        # vmap_area_list: empty list_head
        va = self.sym['vmap_area_list']
        self.wr64(self.kimg_va_to_pa(va), va)
        self.wr64(self.kimg_va_to_pa(va) + 8, va)
        if self.numa:
            self.wr64(kp + self.kimg['node_data'], self.pgdat_va)
        self.wr64(self.kimg_va_to_pa(self.sym['kallsyms_num_syms']), 0)
        self.wr64(self.kimg_va_to_pa(self.sym['kallsyms_relative_base']), tv)

    def _self_check_translation(self):
        pt = self.pt
        checks = [(self.sym['init_uts_ns'], self.kernel_phys + self.kimg['init_uts_ns']),
                  (self.sym['init_top_pgt'], self.kernel_phys + self.kimg['init_top_pgt'])]
        for pfn in (self.ram_pfns[0], self.ram_pfns[-1]):
            checks.append((self.page_va(pfn), self.page_pa(pfn)))
            checks.append((self.dm_va(pfn << PAGE_SHIFT), pfn << PAGE_SHIFT))
        if self.memmap == 'sparse_extreme':
            checks.append((self.sym['mem_section'], self.ms_roots_pa))
        for va, pa in checks:
            got = pt.translate(va)
            if got != pa:
                raise GenError('internal: page tables translate %#x to %s, want %#x'
                               % (va, None if got is None else hex(got), pa))
        # kimg symbol translation equals table walk
        if self.kimg_va_to_pa(self.sym['init_top_pgt']) != self.pt.root:
            raise GenError('internal: phys_base inconsistent')

    def _vmcoreinfo(self):
        lines = self.profile.vmcoreinfo(self)
        drops = set(self.spec.drop_keys)
        known = {k for k, _ in lines}
        for k in drops:
            if k not in known:
                raise GenError('drop_key %s: no such VMCOREINFO key (have: %s)' % (k, ', '.join(sorted(known))))
        lines = [(k, v) for k, v in lines if k not in drops]
        for k, v in self.spec.set_keys:
            for i, (kk, vv) in enumerate(lines):
                if kk == k:
                    lines[i] = (k, v)
                    break
            else:
                lines.insert(len(lines) - 1, (k, v))
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
                present_sections=self.present_sections if self.memmap != 'flat' else [],
                free_blocks=[[h, o] for h, o, m in self.free_blocks],
            ),
            vmcoreinfo=self.vmcoreinfo,
        )
        return t

    def _evaluate(self, P, in_segs, max_mapnr, base):
        """Apply makedumpfile's __exclude_unnecessary_pages() rules to the
        struct pages as written, for all 32 dump levels."""
        notes = []
        spp = self.section_pfns
        # mem_map_data ranges
        if self.memmap == 'flat':
            mm_ranges = [(0, max_mapnr)]
        else:
            mm_ranges = []
            for sec in range(-(-max_mapnr // spp)):
                if sec in self.present_sections:
                    mm_ranges.append((sec * spp, min((sec + 1) * spp, max_mapnr)))
        segs_sorted = sorted(in_segs)

        def rd(pfn):
            return self.struct_page_bytes(pfn) if pfn in self.sp else bytes(64)

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
            chead = fld(b, P['off_compound_head'], 8)
            order = dtor = 0
            is_hugetlb = False
            if pfn % PGMM_CACHED != PGMM_CACHED - 1 and flags & P['head_mask']:
                nb = rd(pfn + 1)
                if P['hugetlb_mapcount'] is not None:
                    order = fld(nb, P['off_flags'], 8) & 0xff
                    is_hugetlb = mapcount == P['hugetlb_mapcount']
                elif P['pg_hugetlb'] is not None:
                    f1 = fld(nb, P['off_flags'], 8)
                    order = f1 & 0xff
                    is_hugetlb = bool(f1 >> P['pg_hugetlb'] & 1)
                else:
                    w = P['compound_field_size']
                    order = fld(nb, P['off_compound_order'], w) if P['off_compound_order'] else 0
                    dtor = fld(nb, P['off_compound_dtor'], w) if P['off_compound_dtor'] else 0
                    is_hugetlb = P['hugetlb_dtor'] is not None and dtor == P['hugetlb_dtor']
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
                buddy=(not slab) and P['buddy_value'] is not None and mapcount == P['buddy_value'],
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
    d = parse_vmcoreinfo(vmcoreinfo)
    P = {}

    def off(name):
        return _num(d, 'OFFSET(%s)' % name)
    P['off_flags'] = off('page.flags')
    P['off_mapping'] = off('page.mapping')
    # What the kernel's own generation tells when VMCOREINFO does not (our
    # filter's issue-3 rule): struct page offsets and the buddy value, but
    # only for a version that OSRELEASE names (not for a custom string).
    tv = release_version(d.get('OSRELEASE', ''))
    P['table_version'] = tv
    P['off_mapcount'] = off('page._mapcount')
    P['off_private'] = off('page.private')
    if tv is not None and tv >= (4, 18, 0):
        if P['off_mapcount'] is None:
            P['off_mapcount'] = 48
        if P['off_private'] is None:
            P['off_private'] = 40
    P['off_compound_head'] = off('page.compound_head')
    if P['off_compound_head'] is None:
        P['off_compound_head'] = off('page.compound_info')       # 7.1 rename
    if version < (4, 4, 0):
        raise GenError('profiles before 4.4 are not modelled yet')
    size_page = _num(d, 'SIZE(page)')
    # init_compound_offset(): folio fields (6.3-6.5), page fields (4.4-6.2);
    # 0 means "not read"
    if off('folio._folio_order') is not None:
        P['off_compound_order'] = off('folio._folio_order') - size_page
    else:
        P['off_compound_order'] = off('page.compound_order') or 0
    if off('folio._folio_dtor') is not None:
        P['off_compound_dtor'] = off('folio._folio_dtor') - size_page
    else:
        P['off_compound_dtor'] = off('page.compound_dtor') or 0
    P['compound_field_size'] = 1 if version >= (4, 16, 0) else 2
    n = lambda k: _num(d, 'NUMBER(%s)' % k)
    P['pg_lru'] = n('PG_lru') if n('PG_lru') is not None else 5
    P['pg_private'] = n('PG_private') if n('PG_private') is not None else 11
    P['pg_swapcache'] = n('PG_swapcache') if n('PG_swapcache') is not None else 15
    sb = n('PG_swapbacked')
    if sb is None and P['pg_swapcache'] < P['pg_private']:
        sb = P['pg_private'] + 6
    P['pg_swapbacked'] = sb
    P['pg_slab'] = n('PG_slab') if n('PG_slab') is not None else 7
    P['head_mask'] = (n('PG_head_mask') if n('PG_head_mask') is not None else 1 << 14) & MASK64
    P['pg_hwpoison'] = n('PG_hwpoison')
    bv = n('PAGE_BUDDY_MAPCOUNT_VALUE')
    # Our filter's order (issue 3): the exported value, else PG_buddy, else
    # the value this kernel generation is known to use (from the kernel
    # sources, independent of the filter's table), else the free lists.
    # (Upstream makedumpfile applies its built-in -128 before it knows the
    # version, so it walks the free lists here: a declared difference.)
    if bv is None and n('PG_buddy') is None and tv is not None:
        bv = era_buddy_value(tv)
    P['buddy_value'] = None if bv is None else bv & 0xffffffff
    P['buddy_handler'] = (P['off_private'] is not None and P['buddy_value'] is not None
                          and P['off_mapcount'] is not None)
    ov = n('PAGE_OFFLINE_MAPCOUNT_VALUE')
    P['offline_value'] = None if ov is None else ov & 0xffffffff
    sv = n('PAGE_SLAB_MAPCOUNT_VALUE')
    P['slab_mapcount'] = None if sv is None else sv & 0xffffffff
    P['hugetlb_dtor'] = n('HUGETLB_PAGE_DTOR')
    P['pg_hugetlb'] = n('PG_hugetlb')                               # 6.6-6.8
    hv = n('PAGE_HUGETLB_MAPCOUNT_VALUE')                          # 6.9+
    P['hugetlb_mapcount'] = None if hv is None else hv & 0xffffffff
    uv = n('PAGE_UNACCEPTED_MAPCOUNT_VALUE')                       # 6.16+
    P['unaccepted_value'] = None if uv is None else uv & 0xffffffff
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


def era_buddy_value(version):
    """The _mapcount/page_type value of a free block head, by kernel version
    (mm/internal.h, include/linux/mm.h, include/linux/page-flags.h)."""
    if version >= (6, 12, 0):
        return 0xf0000000          # PGTY_buddy << 24
    if version >= (6, 11, 0):
        return 0xbfffffff          # ~PG_buddy (0x40000000) under 0x80000000
    if version >= (4, 18, 0):
        return -129                # page_type: ~0x80
    if version >= (2, 6, 39):
        return -128
    if version >= (2, 6, 38):
        return -2
    return None


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
    if sp.drop_keys or sp.set_keys:
        return
    levels = {L: from_ranges(t['levels'][str(L)]) for L in (2, 4, 8, 16)}
    always = from_ranges(t['levels']['0'])
    data = from_ranges(t['data'])
    intent = {'free': 16, 'cache': 2 | 4, 'cache_private': 4, 'swapcache': 2 | 4,
              'anon': 8, 'anon_swapcache': 8, 'thp': 8, 'hugetlb': 8}
    for r in g.runs:
        o = r['opts']
        if any(k in o for k in ('trap', 'mapcount', 'private', 'mapping', 'flags', 'noalign')):
            continue
        cls = r['cls']
        for head, order in r['blocks']:
            pf = [p for p in range(head, head + (1 << order)) if p in data]
            if not pf:
                continue
            if cls in ('offline', 'hwpoison') or 'hwpoison' in o:
                want_always = True
            else:
                want_always = False
            if cls == 'free' and order >= g.profile.max_order:
                bits = 0
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
