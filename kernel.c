// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kernel.c - open a vmcore and learn the dumped kernel's layout.
 *
 * Order: ELF headers and notes; VMCOREINFO (note, or -i file); the arch
 * backend chosen from e_machine and class; max_mapnr from the PT_LOADs;
 * the struct page layout for the dump level; mem_map, which also clips
 * max_mapnr to the end of the last valid mem_map range (QEMU's ROM and
 * BIOS PT_LOADs above RAM have no struct page); the utsname.
 */
#include <elf.h>
#include <string.h>

#include "dwarf_info.h"
#include "kdump_input.h"
#include "kernel.h"
#include "makedumpfile.h"

static bool load_vmcoreinfo(struct kernel *k, const char *file, const char *vmlinux)
{
	struct vmcoreinfo note;

	if (file) {
		if (!vmci_load_file(&k->vi, file))
			return false;
		k->has_vmcoreinfo = true;
		if (k->vc.vmcoreinfo &&
		    vmci_parse(&note, k->vc.vmcoreinfo, k->vc.vmcoreinfo_size,
			       "the VMCOREINFO note")) {
			bool same = !strcmp(note.osrelease, k->vi.osrelease);

			if (!same)
				ERRMSG("The kernel version is not the same: %s has %s, the vmcore has %s.\n",
				       file, k->vi.osrelease, note.osrelease);
			vmci_free(&note);
			if (!same)
				return false;
		}
		return true;
	}
	if (k->vc.vmcoreinfo) {
		if (!vmci_parse(&k->vi, k->vc.vmcoreinfo, k->vc.vmcoreinfo_size,
				"the VMCOREINFO note of the vmcore"))
			return false;
		k->has_vmcoreinfo = true;
	}
	/* -x VMLINUX: what the note lacks (or everything) from debuginfo */
	return dwarf_info_merge(&k->vi, &k->has_vmcoreinfo, vmlinux);
}

static void read_utsname(struct kernel *k)
{
	uint64_t sym, off;
	char *u = k->utsname;

	memset(u, 0, sizeof(k->utsname));
	if (vmci_symbol(&k->vi, "init_uts_ns", &sym)) {
		if (!vmci_offset(&k->vi, "uts_namespace.name", &off))
			off = 4;	/* after struct kref before 5.11 */
		if (arch_read_virt(&k->arch, sym + off, u, sizeof(k->utsname)) &&
		    !strncmp(u, "Linux", NEW_UTS_LEN)) {
			for (int i = 0; i < 6; i++)
				u[i * NEW_UTS_LEN + NEW_UTS_LEN - 1] = '\0';
			return;
		}
		DEBUG_MSG("Can't read init_uts_ns; building utsname from VMCOREINFO.\n");
	}
	memset(u, 0, sizeof(k->utsname));
	if (k->vc.kd && !strncmp(kdump_utsname(&k->vc), "Linux", NEW_UTS_LEN)) {
		memcpy(u, kdump_utsname(&k->vc), sizeof(k->utsname));
		return;
	}
	strcpy(u, "Linux");
	if (k->has_vmcoreinfo)
		strncpy(u + 2 * NEW_UTS_LEN, k->vi.osrelease, NEW_UTS_LEN - 1);
	strncpy(u + 4 * NEW_UTS_LEN, k->arch.ops->name, NEW_UTS_LEN - 1);
}

static int check_vmcoreinfo_needed(struct kernel *k, int dump_level)
{
	if (k->has_vmcoreinfo)
		return EXIT_COMPLETED;
	if (dump_level & ~DL_EXCLUDE_ZERO) {
		ERRMSG("%s has no VMCOREINFO note, needed for dump level %d; give -i VMCOREINFO.\n",
		       k->vc.path, dump_level);
		return EXIT_FAILED;
	}
	MSG("WARNING: %s has no VMCOREINFO note; dumping without filtering by page type.\n",
	    k->vc.path);
	return EXIT_COMPLETED;
}

static bool setup_memmap(struct kernel *k)
{
	uint64_t end;

	if (!k->has_vmcoreinfo)
		return true;
	k->has_layout = pageflags_init(&k->pl, &k->vi, &k->vc.tgt);
	if (!k->has_layout)
		return false;
	if (!memmap_discover(&k->arch, k->page_size, k->pl.size, k->max_mapnr, &k->mm))
		return false;
	end = memmap_end_pfn(&k->mm);
	if (end && end < k->max_mapnr) {
		DEBUG_MSG("max_mapnr clipped from %llx to %llx (end of mem_map)\n",
			  (unsigned long long)k->max_mapnr, (unsigned long long)end);
		k->max_mapnr = end;
	}
	DEBUG_MSG("mem_map ranges: %zu\n", k->mm.n);
	for (size_t i = 0; i < k->mm.n; i++)
		DEBUG_MSG("  pfn %llx-%llx mem_map %llx\n",
			  (unsigned long long)k->mm.r[i].start_pfn,
			  (unsigned long long)k->mm.r[i].end_pfn,
			  (unsigned long long)k->mm.r[i].mem_map);
	return true;
}

/**
 * kernel_open - read everything the filter needs from @src->vmcore.
 * @src:	the vmcore, and where VMCOREINFO comes from (-i file, -x vmlinux)
 * @dump_level:	levels that will be asked for (what VMCOREINFO must have)
 */
int kernel_open(struct kernel *k, const struct kernel_src *src, int dump_level)
{
	const char *vmcore = src->vmcore, *vmcoreinfo_file = src->vmcoreinfo_file;
	const struct arch_ops *ops;
	int ret;

	memset(k, 0, sizeof(*k));
	k->vc.fd = -1;
	if (!vmcore_open(&k->vc, vmcore))
		return EXIT_FAILED;
	vmcore_dump_loads(&k->vc);
	ops = arch_find(k->vc.machine, k->vc.elf_class);
	if (!ops) {
		ERRMSG("%s is a dump of an unsupported architecture (e_machine %u, ELF class %d).\n",
		       vmcore, k->vc.machine, k->vc.elf_class);
		return EXIT_FAILED;
	}
	if (!load_vmcoreinfo(k, vmcoreinfo_file, src->vmlinux))
		return vmcoreinfo_file ? EXIT_WRONG_RELEASE : EXIT_FAILED;
	ret = check_vmcoreinfo_needed(k, dump_level);
	if (ret)
		return ret;
	k->page_size = k->has_vmcoreinfo ? (unsigned int)k->vi.page_size : 4096;
	if (!vmcore_set_page_size(&k->vc, k->page_size))
		return EXIT_FAILED;
	k->max_mapnr = DIV_ROUND_UP(vmcore_max_paddr(&k->vc), k->page_size);
	if (k->has_vmcoreinfo) {
		DEBUG_MSG("OSRELEASE    : %s\nPAGESIZE     : %u\n", k->vi.osrelease,
			  k->page_size);
		if (!arch_init(&k->arch, ops, &k->vc, &k->vi))
			return EXIT_FAILED;
	} else {
		k->arch.ops = ops;
	}
	if (!setup_memmap(k))
		return EXIT_FAILED;
	DEBUG_MSG("max_mapnr    : %llx\n", (unsigned long long)k->max_mapnr);
	if (k->has_vmcoreinfo)
		read_utsname(k);
	else
		strcpy(k->utsname, "Linux");
	return EXIT_COMPLETED;
}

void kernel_close(struct kernel *k)
{
	memmap_free(&k->mm);
	if (k->has_vmcoreinfo)
		arch_fini(&k->arch);
	vmci_free(&k->vi);
	vmcore_close(&k->vc);
}
