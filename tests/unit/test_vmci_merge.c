// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for vmci_merge() (vmcoreinfo.c): lines of a second
 * VMCOREINFO text (from -x debuginfo) are added only where the first (the
 * dump's note) has no such key; a last line without a newline is kept.
 */
#include "makedumpfile.h"
#include "vmcoreinfo.h"
#include "unit.h"

static const char note[] =
	"OSRELEASE=6.1.0\nPAGESIZE=4096\nSYMBOL(prb)=ffffffff82000000\n"
	"OFFSET(page.flags)=0\nNUMBER(phys_base)=-130023424\nCRASHTIME=1700000000";
static const char dbg[] =
	"OSRELEASE=6.1.0\nPAGESIZE=4096\nSYMBOL(prb)=ffffffff81000000\n"
	"SYMBOL(log_buf)=ffffffff81000100\nOFFSET(page.flags)=8\n"
	"OFFSET(page.mapping)=24\nSIZE(page)=64\nLENGTH(zone.free_area)=11\n"
	"NUMBER(PG_lru)=4\nNUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n";

int main(void)
{
	struct vmcoreinfo vi;
	uint64_t v;
	int64_t n;

	msg_set_level(ML_ERROR);
	CHECK(vmci_parse(&vi, note, strlen(note), "note"));
	CHECK(vmci_merge(&vi, dbg, strlen(dbg), "dbg"));
	/* the note wins */
	CHECK(vmci_symbol(&vi, "prb", &v) && v == 0xffffffff82000000ULL);
	CHECK(vmci_offset(&vi, "page.flags", &v) && v == 0);
	/* what only the debuginfo has is added, with its kind */
	CHECK(vmci_symbol(&vi, "log_buf", &v) && v == 0xffffffff81000100ULL);
	CHECK(vmci_offset(&vi, "page.mapping", &v) && v == 24);
	CHECK(vmci_size(&vi, "page", &v) && v == 64);
	CHECK(vmci_length(&vi, "zone.free_area", &v) && v == 11);
	CHECK(vmci_number(&vi, "PG_lru", &n) && n == 4);
	CHECK(vmci_number(&vi, "PAGE_BUDDY_MAPCOUNT_VALUE", &n) && n == -129);
	/* the note's own values and plain keys survive, CRASHTIME included */
	CHECK(vmci_number(&vi, "phys_base", &n) && n == -130023424);
	CHECK(vi.has_crashtime && vi.crashtime == 1700000000);
	CHECK(!strcmp(vi.osrelease, "6.1.0") && vi.page_size == 4096);
	CHECK_EQ(vi.n, 12);
	/* nothing twice */
	CHECK(vmci_merge(&vi, dbg, strlen(dbg), "dbg"));
	CHECK_EQ(vi.n, 12);
	/* a text that does not parse leaves @vi as it was */
	CHECK(!vmci_merge(&vi, "garbage", 7, "bad"));
	CHECK_EQ(vi.n, 12);
	vmci_free(&vi);
	return unit_done("test_vmci_merge");
}
