// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for pageflags.c: each rule of upstream's classification on
 * struct pages laid out as Linux 6.1 (x86_64) and 6.12 lay them out.
 * The keys and values are those of the real kernels' VMCOREINFO.
 */
#include "makedumpfile.h"
#include "pageflags.h"
#include "vmcoreinfo.h"
#include "unit.h"

/* Linux 6.1 x86_64 (values as exported by the kernel's VMCOREINFO). */
static const char vmci_61[] =
	"OSRELEASE=6.1.0-28-cloud-amd64\nPAGESIZE=4096\n"
	"SIZE(page)=64\nOFFSET(page.flags)=0\nOFFSET(page._refcount)=52\n"
	"OFFSET(page.mapping)=24\nOFFSET(page.lru)=8\nOFFSET(page._mapcount)=48\n"
	"OFFSET(page.private)=40\nOFFSET(page.compound_dtor)=16\n"
	"OFFSET(page.compound_order)=17\nOFFSET(page.compound_head)=8\n"
	"LENGTH(zone.free_area)=11\n"
	"NUMBER(PG_lru)=4\nNUMBER(PG_private)=13\nNUMBER(PG_swapcache)=10\n"
	"NUMBER(PG_swapbacked)=19\nNUMBER(PG_slab)=9\nNUMBER(PG_hwpoison)=23\n"
	"NUMBER(PG_head_mask)=65536\nNUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
	"NUMBER(HUGETLB_PAGE_DTOR)=2\nNUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n";

/* Linux 6.12: page types in the top byte, slab and hugetlb are types. */
static const char vmci_612[] =
	"OSRELEASE=6.12.9\nPAGESIZE=4096\n"
	"SIZE(page)=64\nOFFSET(page.flags)=0\nOFFSET(page._refcount)=52\n"
	"OFFSET(page.mapping)=24\nOFFSET(page.lru)=8\nOFFSET(page._mapcount)=48\n"
	"OFFSET(page.private)=40\nOFFSET(page.compound_head)=8\n"
	"LENGTH(zone.free_area)=11\n"
	"NUMBER(PG_lru)=5\nNUMBER(PG_private)=14\nNUMBER(PG_swapcache)=10\n"
	"NUMBER(PG_swapbacked)=17\nNUMBER(PG_hwpoison)=20\n"
	"NUMBER(PG_head_mask)=64\nNUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-268435456\n"
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-251658240\n"
	"NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=-201326592\n"
	"NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-184549376\n"
	"NUMBER(PAGE_UNACCEPTED_MAPCOUNT_VALUE)=-150994944\n";

static struct page_layout pl;
static uint8_t pages[4][64];

static void setup(const char *text)
{
	struct vmcoreinfo vi;
	struct target t = { .be = false, .ptr_size = 8 };

	CHECK(vmci_parse(&vi, text, strlen(text), "t"));
	CHECK(pageflags_init(&pl, &vi, &t));
	vmci_free(&vi);
}

static void put64(int i, unsigned int off, uint64_t v)
{
	memcpy(pages[i] + off, &v, 8);
}

static void put32(int i, unsigned int off, uint32_t v)
{
	memcpy(pages[i] + off, &v, 4);
}

/* A plain in-use kernel page: _mapcount -1, zone bits high in flags. */
static void reset(void)
{
	memset(pages, 0, sizeof(pages));
	for (int i = 0; i < 4; i++) {
		put64(i, 0, 0x0017ffffc0000000ULL);
		put32(i, 48, 0xffffffff);
	}
}

static enum page_class cls(uint64_t pfn, int dl, uint64_t *nr)
{
	return classify_page(&pl, pages[0], pages[1], pfn, dl, nr);
}

static void test_61(void)
{
	uint64_t nr;

	setup(vmci_61);
	CHECK_EQ(pl.buddy, BUDDY_MAPCOUNT);
	reset();
	CHECK_EQ(cls(0, 31, &nr), PC_KEEP);
	/* buddy head, order 3 */
	put32(0, 48, 0xffffff7f);
	put64(0, 40, 3);
	CHECK_EQ(cls(8, 31, &nr), PC_FREE);
	CHECK_EQ(nr, 8);
	CHECK_EQ(cls(8, 15, &nr), PC_KEEP);		/* -d 15 keeps free */
	put64(0, 40, 11);				/* order >= MAX_ORDER */
	CHECK_EQ(cls(8, 31, &nr), PC_KEEP);
	/* slab page whose _mapcount word happens to look like buddy */
	reset();
	put64(0, 0, 1ULL << 9);
	put32(0, 48, 0xffffff7f);
	put64(0, 24, 0xffff888100000001ULL);		/* odd "mapping" */
	CHECK_EQ(cls(0, 31, &nr), PC_KEEP);		/* never free nor anon */
	/* page cache (LRU), private and not */
	reset();
	put64(0, 0, 1ULL << 4);
	CHECK_EQ(cls(0, 2, &nr), PC_CACHE);
	CHECK_EQ(cls(0, 4, &nr), PC_CACHE);
	put64(0, 0, (1ULL << 4) | (1ULL << 13));
	CHECK_EQ(cls(0, 2, &nr), PC_KEEP);
	CHECK_EQ(cls(0, 4, &nr), PC_CACHE_PRIVATE);
	/* swap cache counts as cache only with PG_swapbacked */
	reset();
	put64(0, 0, 1ULL << 10);
	CHECK_EQ(cls(0, 2, &nr), PC_KEEP);
	put64(0, 0, (1ULL << 10) | (1ULL << 19));
	CHECK_EQ(cls(0, 2, &nr), PC_CACHE);
	/* anonymous on the LRU: user data, not cache */
	reset();
	put64(0, 0, 1ULL << 4);
	put64(0, 24, 0xffff888100000001ULL);
	CHECK_EQ(cls(0, 6, &nr), PC_KEEP);
	CHECK_EQ(cls(0, 8, &nr), PC_USER);
	/* THP: anon compound head of order 9 covers 512 pages */
	reset();
	put64(0, 0, 1ULL << 16);
	put64(0, 24, 0xffff888100000001ULL);
	pages[1][17] = 9;
	pages[1][16] = 3;				/* TRANSHUGE dtor */
	CHECK_EQ(cls(512, 8, &nr), PC_USER);
	CHECK_EQ(nr, 512);
	CHECK_EQ(cls(256, 8, &nr), PC_USER);		/* misaligned: order 0 */
	CHECK_EQ(nr, 1);
	/* hugetlb: compound dtor 2, no anon mapping */
	reset();
	put64(0, 0, 1ULL << 16);
	pages[1][17] = 9;
	pages[1][16] = 2;
	CHECK_EQ(cls(1024, 8, &nr), PC_USER);
	CHECK_EQ(nr, 512);
	CHECK_EQ(cls(1024, 7, &nr), PC_KEEP);
	/* compound tail is skipped */
	reset();
	put64(0, 8, 0xffffea0000001001ULL);
	CHECK_EQ(cls(1, 31, &nr), PC_TAIL);
	/* hwpoison and offline are excluded at every level */
	reset();
	put64(0, 0, 1ULL << 23);
	CHECK_EQ(cls(0, 0, &nr), PC_HWPOISON);
	reset();
	put32(0, 48, (uint32_t)-257);
	CHECK_EQ(cls(0, 0, &nr), PC_OFFLINE);
}

static void test_612(void)
{
	uint64_t nr;

	setup(vmci_612);
	reset();
	put32(0, 48, 0xf0000000);
	put64(0, 40, 10);
	CHECK_EQ(cls(1024, 16, &nr), PC_FREE);
	CHECK_EQ(nr, 1024);
	/* slab is a page type: odd slab data in mapping is not anon */
	reset();
	put32(0, 48, 0xf5000000);
	put64(0, 24, 0xffff888100000001ULL);
	CHECK_EQ(cls(0, 31, &nr), PC_KEEP);
	/* hugetlb: head's page type, order in the first tail's flags */
	reset();
	put64(0, 0, 1ULL << 6);
	put32(0, 48, 0xf4000000);
	put64(1, 0, 0x0017ffffc0000000ULL | 9);
	CHECK_EQ(cls(512, 8, &nr), PC_USER);
	CHECK_EQ(nr, 512);
	/* unaccepted memory: MAX_ORDER-sized blocks with -d 16 */
	reset();
	put32(0, 48, 0xf7000000);
	CHECK_EQ(cls(1024, 16, &nr), PC_FREE);
	CHECK_EQ(nr, 1024);
	CHECK_EQ(cls(1024, 15, &nr), PC_KEEP);
	reset();
	put32(0, 48, 0xf1000000);
	CHECK_EQ(cls(0, 0, &nr), PC_OFFLINE);
}

static void test_missing_keys(void)
{
	static const char text[] =
		"OSRELEASE=6.1.0\nPAGESIZE=4096\nSIZE(page)=64\n"
		"OFFSET(page.flags)=0\nOFFSET(page._refcount)=52\n"
		"OFFSET(page.mapping)=24\n";
	struct vmcoreinfo vi;
	struct target t = { .be = false, .ptr_size = 8 };

	CHECK(vmci_parse(&vi, text, strlen(text), "t"));
	/* 6.1's own struct page offsets and buddy value come from the table */
	CHECK(pageflags_init(&pl, &vi, &t));
	CHECK_EQ(pl.buddy, BUDDY_MAPCOUNT);
	CHECK_EQ(pl.buddy_value, 0xffffff7fU);
	CHECK_EQ(pl.off_mapcount, 48);
	CHECK_EQ(pl.off_private, 40);
	vmci_free(&vi);
	/* nothing but the release: everything from the 6.1 row */
	CHECK(vmci_parse(&vi, "OSRELEASE=6.1.0\nPAGESIZE=4096\n", 30, "t"));
	CHECK(pageflags_init(&pl, &vi, &t));
	CHECK_EQ(pl.size, 64);
	CHECK_EQ(pl.off_mapping, 24);
	CHECK_EQ(pl.off_count, 52);
	CHECK_EQ(pl.buddy, BUDDY_MAPCOUNT);
	vmci_free(&vi);
	/* the same for 4.4 (u32 compound fields) and 2.6.15 (order in index) */
	CHECK(vmci_parse(&vi, "OSRELEASE=4.4.0\nPAGESIZE=4096\n", 30, "t"));
	CHECK(pageflags_init(&pl, &vi, &t));
	CHECK_EQ(pl.off_mapping, 8);
	CHECK(pl.order_off == 44 && pl.order_width == 4 && pl.dtor_off == 40);
	CHECK(pl.hugetlb == HUGETLB_DTOR && pl.hugetlb_value == 2);
	vmci_free(&vi);
	CHECK(vmci_parse(&vi, "OSRELEASE=2.6.15\nPAGESIZE=4096\n", 31, "t"));
	CHECK(pageflags_init(&pl, &vi, &t));
	CHECK(pl.size == 56 && pl.order_off == 32 && pl.order_width == 8);
	CHECK_EQ(pl.buddy, BUDDY_PRIVATE_COUNT);
	vmci_free(&vi);
	/* a release that names no version gives no struct page size */
	CHECK(vmci_parse(&vi, "OSRELEASE=custom\nPAGESIZE=4096\n", 31, "t"));
	CHECK(!pageflags_init(&pl, &vi, &t));
	vmci_free(&vi);
	CHECK_EQ(kernel_version_from_release("6.1.0-28-cloud-amd64"), KERNEL_VERSION(6, 1, 0));
	CHECK_EQ(kernel_version_from_release("2.6.32.69"), KERNEL_VERSION(2, 6, 32));
	CHECK_EQ(kernel_version_from_release("7.1"), KERNEL_VERSION(7, 1, 0));
}

int main(void)
{
	msg_set_level(0);
	test_61();
	test_612();
	test_missing_keys();
	return unit_done("test_pageflags");
}
