// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for elf_info.c: program headers, notes, reads, bad input. */
#include <fcntl.h>
#include <sys/stat.h>

#include "elf_info.h"
#include "makedumpfile.h"
#include "elfbuild.h"
#include "unit.h"

static char path[] = "/tmp/mdf-test-elf-XXXXXX";

static void basic_core(struct elfbuild *eb)
{
	static const char vmci[] = "OSRELEASE=6.1.0\nPAGESIZE=4096\n";
	uint8_t prstatus[336] = { 0 };
	uint8_t *p;

	eb_init(eb);
	eb_note(eb, "CORE", NT_PRSTATUS, prstatus, sizeof(prstatus));
	eb_note(eb, "CORE", NT_PRSTATUS, prstatus, sizeof(prstatus));
	eb_note(eb, "QEMU", 0, prstatus, 100);
	eb_note(eb, "VMCOREINFO", 0, vmci, sizeof(vmci) - 1);
	p = eb_load(eb, 0x100000, 0xffff888000100000ULL, 0x4000, 0x4000);
	for (int i = 0; i < 0x4000; i++)
		p[i] = (uint8_t)(i / 4096 + 1);
	/* second segment: memsz > filesz (no data for the last two pages) */
	p = eb_load(eb, 0x200000, 0x200000, 0x4000, 0x2000);
	memset(p, 0xaa, 0x2000);
}

static void test_basic(unsigned int phoff, unsigned int misalign)
{
	struct elfbuild eb;
	struct vmcore vc;
	uint8_t buf[16];
	const uint8_t *pg;

	basic_core(&eb);
	eb.phoff = phoff;
	eb.misalign = misalign;
	CHECK(eb_write(&eb, path) == 0);
	CHECK(vmcore_open(&vc, path));
	CHECK_EQ(vc.nr_loads, 2);
	CHECK_EQ(vc.nr_cpus, 2);
	CHECK(vc.vmcoreinfo && vc.vmcoreinfo_size == 30);
	CHECK(!memcmp(vc.vmcoreinfo, "OSRELEASE=6.1.0\n", 16));
	CHECK_EQ(vc.loads[0].paddr, 0x100000);
	CHECK_EQ(vc.loads[1].filesz, 0x2000);
	CHECK(vmcore_read_phys(&vc, 0x101ffc, buf, 8));
	CHECK(buf[0] == 2 && buf[4] == 3);
	CHECK(!vmcore_read_phys(&vc, 0x202000, buf, 8));	/* no data */
	CHECK(!vmcore_find_load(&vc, 0x300000));
	pg = vmcore_read_page(&vc, 0x103);
	CHECK(pg && pg[0] == 4 && pg[4095] == 4);
	pg = vmcore_read_page(&vc, 0x201);
	CHECK(pg && pg[0] == 0xaa);
	CHECK_EQ(vmcore_max_paddr(&vc), 0x204000);
	vmcore_close(&vc);
	eb_free(&eb);
}

static void test_xnum(void)
{
	struct elfbuild eb;
	struct vmcore vc;

	basic_core(&eb);
	eb.extra_loads = 70000;		/* 70003 program headers */
	CHECK(eb_write(&eb, path) == 0);
	CHECK(vmcore_open(&vc, path));
	CHECK_EQ(vc.nr_loads, 70002);
	CHECK_EQ(vc.nr_cpus, 2);
	vmcore_close(&vc);
	eb_free(&eb);
}

/* /proc/kcore: vmalloc and module segments have p_paddr -1 */
static void test_no_paddr(void)
{
	struct elfbuild eb;
	struct vmcore vc;

	basic_core(&eb);
	eb_load(&eb, UINT64_MAX, 0xffffc90000000000ULL, 0x2000, 0x2000);
	eb_load(&eb, UINT64_MAX - 0xfff, 0xffffffffc0000000ULL, 0x2000, 0x2000);
	CHECK(eb_write(&eb, path) == 0);
	CHECK(vmcore_open(&vc, path));
	CHECK_EQ(vc.nr_loads, 2);
	CHECK_EQ(vmcore_max_paddr(&vc), 0x204000);
	vmcore_close(&vc);
	eb_free(&eb);
}

static void test_truncated(void)
{
	struct elfbuild eb;
	struct vmcore vc;
	struct stat st;

	basic_core(&eb);
	CHECK(eb_write(&eb, path) == 0);
	CHECK(stat(path, &st) == 0);
	CHECK(truncate(path, st.st_size - 100) == 0);
	CHECK(!vmcore_open(&vc, path));
	CHECK(truncate(path, 40) == 0);
	CHECK(!vmcore_open(&vc, path));
	CHECK(truncate(path, 0) == 0);
	CHECK(!vmcore_open(&vc, path));
	eb_free(&eb);
}

static void corrupt_at(long off, const void *bytes, size_t n)
{
	int fd = open(path, O_WRONLY);

	CHECK(fd >= 0 && pwrite(fd, bytes, n, off) == (ssize_t)n);
	close(fd);
}

static void test_corrupt(void)
{
	struct elfbuild eb;
	struct vmcore vc;
	uint8_t bad = 7;
	uint16_t phent = 40, phnum = 0;
	uint64_t phoff = 1ULL << 40;

	basic_core(&eb);
	CHECK(eb_write(&eb, path) == 0);
	corrupt_at(0, "XELF", 4);
	CHECK(!vmcore_open(&vc, path));			/* bad magic */
	CHECK(eb_write(&eb, path) == 0);
	corrupt_at(EI_CLASS, &bad, 1);
	CHECK(!vmcore_open(&vc, path));			/* bad class */
	CHECK(eb_write(&eb, path) == 0);
	corrupt_at(54, &phent, 2);
	CHECK(!vmcore_open(&vc, path));			/* bad phentsize */
	CHECK(eb_write(&eb, path) == 0);
	corrupt_at(56, &phnum, 2);
	CHECK(!vmcore_open(&vc, path));			/* no phdrs */
	CHECK(eb_write(&eb, path) == 0);
	corrupt_at(32, &phoff, 8);
	CHECK(!vmcore_open(&vc, path));			/* phoff past EOF */
	CHECK(!vmcore_open(&vc, "/nonexistent/vmcore"));
	eb_free(&eb);
}

int main(void)
{
	int fd = mkstemp(path);

	msg_set_level(0);
	close(fd);
	test_basic(64, 0);
	test_basic(192, 0);
	test_basic(192, 0x480);
	test_xnum();
	test_no_paddr();
	test_truncated();
	test_corrupt();
	unlink(path);
	return unit_done("test_elf");
}
