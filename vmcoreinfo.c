// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vmcoreinfo.c - parse VMCOREINFO, from the ELF note or from a file (-i).
 *
 * Value formats (kernel/vmcore_info.c): SYMBOL() is hex without 0x;
 * NUMBER() is signed decimal or, for a few keys, 0x hex; OFFSET(), SIZE()
 * and LENGTH() are decimal; KERNELOFFSET is hex without 0x.  The last
 * line may lack its newline (CRASHTIME on 2.6.24-3.1).  Unknown keys are
 * kept but never required.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "makedumpfile.h"
#include "vmcoreinfo.h"

static const struct {
	const char *prefix;
	enum vmci_kind kind;
} families[] = {
	{ "SYMBOL(", VMCI_SYMBOL }, { "NUMBER(", VMCI_NUMBER },
	{ "OFFSET(", VMCI_OFFSET }, { "SIZE(", VMCI_SIZE },
	{ "LENGTH(", VMCI_LENGTH },
};

const char *vmci_kind_name(enum vmci_kind kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(families); i++)
		if (families[i].kind == kind)
			return families[i].prefix;
	return "";
}

static bool parse_hex(const char *s, uint64_t *v)
{
	char *end;

	if (!*s)
		return false;
	errno = 0;
	*v = strtoull(s, &end, 16);
	return !errno && !*end;
}

/* Signed decimal, or hex with 0x (optionally negative). */
static bool parse_number(const char *s, uint64_t *v)
{
	const char *p = s;
	bool neg = false;
	char *end;

	if (*p == '-') {
		neg = true;
		p++;
	}
	if (!*p)
		return false;
	errno = 0;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		*v = strtoull(p + 2, &end, 16);
	else
		*v = strtoull(p, &end, 10);
	if (errno || *end)
		return false;
	if (neg)
		*v = (uint64_t)-(int64_t)*v;
	return true;
}

static void add_entry(struct vmcoreinfo *vi, char *key, char *value)
{
	struct vmci_entry *e;
	size_t klen = strlen(key);

	vi->e = realloc(vi->e, (vi->n + 1) * sizeof(*vi->e));
	if (!vi->e) {
		ERRMSG("Can't allocate memory for VMCOREINFO.\n");
		exit(EXIT_FAILED);
	}
	e = &vi->e[vi->n++];
	memset(e, 0, sizeof(*e));
	e->kind = VMCI_PLAIN;
	e->name = key;
	e->value = value;
	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		size_t plen = strlen(families[i].prefix);

		if (klen > plen && !strncmp(key, families[i].prefix, plen) &&
		    key[klen - 1] == ')') {
			e->kind = families[i].kind;
			e->name = key + plen;
			key[klen - 1] = '\0';
			break;
		}
	}
	if (e->kind == VMCI_SYMBOL)
		e->has_num = parse_hex(value, &e->num);
	else if (e->kind != VMCI_PLAIN)
		e->has_num = parse_number(value, &e->num);
	if (e->kind != VMCI_PLAIN && !e->has_num)
		DEBUG_MSG("VMCOREINFO: can't parse the value of %s%s): \"%s\"\n",
			  vmci_kind_name(e->kind), e->name, value);
}

static bool interpret_plain(struct vmcoreinfo *vi, const char *source)
{
	const struct vmci_entry *e;
	uint64_t v;

	e = vmci_find(vi, VMCI_PLAIN, "OSRELEASE");
	if (!e || !*e->value) {
		ERRMSG("Invalid format in %s: OSRELEASE is missing.\n", source);
		return false;
	}
	vi->osrelease = e->value;
	e = vmci_find(vi, VMCI_PLAIN, "PAGESIZE");
	if (!e || !parse_number(e->value, &vi->page_size) || vi->page_size < 1024 ||
	    (vi->page_size & (vi->page_size - 1))) {
		ERRMSG("Invalid format in %s: PAGESIZE is missing or invalid.\n",
		       source);
		return false;
	}
	e = vmci_find(vi, VMCI_PLAIN, "CRASHTIME");
	if (e && parse_number(e->value, &v)) {
		vi->has_crashtime = true;
		vi->crashtime = (int64_t)v;
	}
	e = vmci_find(vi, VMCI_PLAIN, "KERNELOFFSET");
	if (e && parse_hex(e->value, &vi->kerneloffset))
		vi->has_kerneloffset = true;
	return true;
}

/**
 * vmci_parse - parse VMCOREINFO text.
 * @source: name used in error messages ("VMCOREINFO note", a file name)
 *
 * Return: false (after one error message) if OSRELEASE or PAGESIZE is
 * missing; any other key may be absent.
 */
bool vmci_parse(struct vmcoreinfo *vi, const char *text, size_t len,
		const char *source)
{
	char *p, *end;

	memset(vi, 0, sizeof(*vi));
	vi->text = xmalloc(len + 1);
	memcpy(vi->text, text, len);
	vi->text[len] = '\0';
	vi->text_len = len;
	/* Work on a second copy that we cut into NUL-terminated pieces. */
	p = xmalloc(len + 1);
	memcpy(p, text, len);
	p[len] = '\0';
	end = p + strlen(p);
	vi->block = p;
	for (char *line = p, *next; line < end; line = next) {
		char *eq, *nl = strchr(line, '\n');

		next = nl ? nl + 1 : end;
		if (nl)
			*nl = '\0';
		eq = strchr(line, '=');
		if (!eq || eq == line)
			continue;
		*eq = '\0';
		add_entry(vi, line, eq + 1);
	}
	if (!vi->n) {
		ERRMSG("Invalid format in %s: no KEY=VALUE line.\n", source);
		return false;
	}
	return interpret_plain(vi, source);
}

bool vmci_load_file(struct vmcoreinfo *vi, const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	bool ok;

	if (!fp) {
		ERRMSG("Can't open the vmcoreinfo file(%s). %s\n", path,
		       strerror(errno));
		return false;
	}
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			if (!buf) {
				fclose(fp);
				ERRMSG("Can't allocate memory for %s.\n", path);
				return false;
			}
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
	} while (n > 0);
	fclose(fp);
	ok = vmci_parse(vi, buf, len, path);
	free(buf);
	return ok;
}

/* Append "KEY=VALUE\n" of @e to @buf at @len; return the new length. */
static size_t put_line(char *buf, size_t len, const struct vmci_entry *e)
{
	const char *prefix = e->kind == VMCI_PLAIN ? "" : vmci_kind_name(e->kind);

	return len + (size_t)sprintf(buf + len, "%s%s%s=%s\n", prefix, e->name,
				     e->kind == VMCI_PLAIN ? "" : ")", e->value);
}

/**
 * vmci_merge - add to @vi every line of @text whose key @vi lacks.
 * @source: name used in error messages
 *
 * What @vi already has wins (the dump's own VMCOREINFO over debuginfo).
 * Return: false after an error message if @text does not parse; @vi is
 * then unchanged.
 */
bool vmci_merge(struct vmcoreinfo *vi, const char *text, size_t len,
		const char *source)
{
	struct vmcoreinfo add, merged;
	size_t n;
	char *buf;
	bool ok;

	if (!vmci_parse(&add, text, len, source)) {
		vmci_free(&add);
		return false;
	}
	buf = xmalloc(vi->text_len + len + add.n * 16 + 2);
	memcpy(buf, vi->text, vi->text_len);
	n = vi->text_len;
	if (n && buf[n - 1] != '\n')
		buf[n++] = '\n';
	for (size_t i = 0; i < add.n; i++)
		if (!vmci_find(vi, add.e[i].kind, add.e[i].name))
			n = put_line(buf, n, &add.e[i]);
	ok = vmci_parse(&merged, buf, n, source);
	free(buf);
	vmci_free(&add);
	if (!ok) {
		vmci_free(&merged);
		return false;
	}
	vmci_free(vi);
	*vi = merged;
	return true;
}

/**
 * kernel_version_from_release - KERNEL_VERSION() of an OSRELEASE such as
 * "6.1.0-28-cloud-amd64" or "2.6.32.69"; 0 when it names no version.
 */
unsigned int kernel_version_from_release(const char *release)
{
	unsigned long v[3] = { 0, 0, 0 };
	const char *p = release;
	char *end;

	for (int i = 0; i < 3 && p && *p >= '0' && *p <= '9'; i++) {
		v[i] = strtoul(p, &end, 10);
		p = *end == '.' ? end + 1 : NULL;
	}
	if (v[1] > 255)
		v[1] = 255;
	if (v[2] > 255)
		v[2] = 255;
	return KERNEL_VERSION((unsigned int)v[0], (unsigned int)v[1],
			      (unsigned int)v[2]);
}

void vmci_free(struct vmcoreinfo *vi)
{
	free(vi->block);
	free(vi->e);
	free(vi->text);
	memset(vi, 0, sizeof(*vi));
}

const struct vmci_entry *vmci_find(const struct vmcoreinfo *vi,
				   enum vmci_kind kind, const char *name)
{
	for (size_t i = 0; i < vi->n; i++)
		if (vi->e[i].kind == kind && !strcmp(vi->e[i].name, name))
			return &vi->e[i];
	return NULL;
}

bool vmci_get(const struct vmcoreinfo *vi, enum vmci_kind kind,
	      const char *name, uint64_t *val)
{
	const struct vmci_entry *e = vmci_find(vi, kind, name);

	if (!e || !e->has_num)
		return false;
	*val = e->num;
	return true;
}

bool vmci_symbol(const struct vmcoreinfo *vi, const char *name, uint64_t *val)
{
	return vmci_get(vi, VMCI_SYMBOL, name, val);
}

bool vmci_number(const struct vmcoreinfo *vi, const char *name, int64_t *val)
{
	uint64_t v;

	if (!vmci_get(vi, VMCI_NUMBER, name, &v))
		return false;
	*val = (int64_t)v;
	return true;
}

bool vmci_offset(const struct vmcoreinfo *vi, const char *name, uint64_t *val)
{
	return vmci_get(vi, VMCI_OFFSET, name, val);
}

bool vmci_size(const struct vmcoreinfo *vi, const char *name, uint64_t *val)
{
	return vmci_get(vi, VMCI_SIZE, name, val);
}

bool vmci_length(const struct vmcoreinfo *vi, const char *name, uint64_t *val)
{
	return vmci_get(vi, VMCI_LENGTH, name, val);
}
