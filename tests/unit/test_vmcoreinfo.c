// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for vmcoreinfo.c. */
#include "makedumpfile.h"
#include "vmcoreinfo.h"
#include "unit.h"

static void test_formats(void)
{
	static const char text[] =
		"OSRELEASE=6.1.0-28-cloud-amd64\n"
		"BUILD-ID=abc\n"
		"PAGESIZE=4096\n"
		"SYMBOL(init_uts_ns)=ffffffff82a13a00\n"
		"SYMBOL(mem_section)=ff2d5e2e7ffd6000\n"
		"OFFSET(page.flags)=0\n"
		"SIZE(page)=64\n"
		"LENGTH(zone.free_area)=11\n"
		"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
		"NUMBER(phys_base)=31541166080\n"
		"NUMBER(VMALLOC_START)=0xffffc90000000000\n"
		"NUMBER(sme_mask)=0\n"
		"NUMBER(weird)=12abc\n"
		"KERNELOFFSET=34000000\n"
		"garbage line without equals\n"
		"CRASHTIME=1700000000";		/* no trailing newline (<= 3.1) */
	struct vmcoreinfo vi;
	uint64_t u;
	int64_t n;

	CHECK(vmci_parse(&vi, text, sizeof(text) - 1, "test"));
	CHECK(!strcmp(vi.osrelease, "6.1.0-28-cloud-amd64"));
	CHECK_EQ(vi.page_size, 4096);
	CHECK(vi.has_crashtime && vi.crashtime == 1700000000);
	CHECK(vi.has_kerneloffset && vi.kerneloffset == 0x34000000);
	CHECK(vmci_symbol(&vi, "init_uts_ns", &u) && u == 0xffffffff82a13a00ULL);
	CHECK(vmci_symbol(&vi, "mem_section", &u) && u == 0xff2d5e2e7ffd6000ULL);
	CHECK(vmci_offset(&vi, "page.flags", &u) && u == 0);
	CHECK(vmci_size(&vi, "page", &u) && u == 64);
	CHECK(vmci_length(&vi, "zone.free_area", &u) && u == 11);
	CHECK(vmci_number(&vi, "PAGE_BUDDY_MAPCOUNT_VALUE", &n) && n == -129);
	CHECK((uint32_t)n == 0xffffff7fU);
	CHECK(vmci_number(&vi, "phys_base", &n) && n == 31541166080LL);
	CHECK(vmci_number(&vi, "VMALLOC_START", &n) &&
	      (uint64_t)n == 0xffffc90000000000ULL);
	CHECK(!vmci_number(&vi, "weird", &n));		/* unparsable */
	CHECK(!vmci_number(&vi, "missing", &n));
	CHECK(!vmci_symbol(&vi, "page.flags", &u));	/* wrong family */
	CHECK(vmci_find(&vi, VMCI_PLAIN, "BUILD-ID") != NULL);
	vmci_free(&vi);
}

static void test_required(void)
{
	static const char no_release[] = "PAGESIZE=4096\nSIZE(page)=64\n";
	static const char no_pagesize[] = "OSRELEASE=5.4.0\n";
	static const char bad_pagesize[] = "OSRELEASE=5.4.0\nPAGESIZE=1000\n";
	struct vmcoreinfo vi;

	CHECK(!vmci_parse(&vi, no_release, sizeof(no_release) - 1, "t"));
	vmci_free(&vi);
	CHECK(!vmci_parse(&vi, no_pagesize, sizeof(no_pagesize) - 1, "t"));
	vmci_free(&vi);
	CHECK(!vmci_parse(&vi, bad_pagesize, sizeof(bad_pagesize) - 1, "t"));
	vmci_free(&vi);
	CHECK(!vmci_parse(&vi, "", 0, "t"));
	vmci_free(&vi);
}

static void test_file(void)
{
	char path[] = "/tmp/mdf-test-vmci-XXXXXX";
	int fd = mkstemp(path);
	static const char text[] = "OSRELEASE=2.6.32\nPAGESIZE=4096\nSIZE(page)=56\n";
	struct vmcoreinfo vi;
	uint64_t u;

	CHECK(write(fd, text, sizeof(text) - 1) == sizeof(text) - 1);
	close(fd);
	CHECK(vmci_load_file(&vi, path));
	CHECK(vmci_size(&vi, "page", &u) && u == 56);
	vmci_free(&vi);
	unlink(path);
	CHECK(!vmci_load_file(&vi, path));
}

int main(void)
{
	msg_set_level(0);
	test_formats();
	test_required();
	test_file();
	return unit_done("test_vmcoreinfo");
}
