/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * endian.h - read and write fields of the dumped machine in its byte
 * order, whatever the host's.  Every access to target data goes through
 * these helpers; never cast a buffer to a host struct.
 */
#ifndef MDF_ENDIAN_H
#define MDF_ENDIAN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t get_le16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t get_le32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static inline uint64_t get_le64(const void *p)
{
	const uint8_t *b = p;

	return get_le32(b) | (uint64_t)get_le32(b + 4) << 32;
}

static inline uint16_t get_be16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] << 8 | b[1]);
}

static inline uint32_t get_be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
	       (uint32_t)b[3];
}

static inline uint64_t get_be64(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)get_be32(b) << 32 | get_be32(b + 4);
}

static inline void put_le32(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

static inline void put_le64(void *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

static inline void put_be32(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static inline void put_be64(void *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32((uint8_t *)p + 4, (uint32_t)v);
}

/**
 * struct target - byte order and word size of the dumped machine.
 * @be:		true for a big-endian target
 * @ptr_size:	4 or 8 (sizeof(long) of the target)
 */
struct target {
	bool be;
	unsigned int ptr_size;
};

static inline uint16_t tget16(const struct target *t, const void *p)
{
	return t->be ? get_be16(p) : get_le16(p);
}

static inline uint32_t tget32(const struct target *t, const void *p)
{
	return t->be ? get_be32(p) : get_le32(p);
}

static inline uint64_t tget64(const struct target *t, const void *p)
{
	return t->be ? get_be64(p) : get_le64(p);
}

/* Read a target "unsigned long" (pointer-sized). */
static inline uint64_t tgetlong(const struct target *t, const void *p)
{
	return t->ptr_size == 8 ? tget64(t, p) : tget32(t, p);
}

static inline void tput16(const struct target *t, void *p, uint16_t v)
{
	uint8_t *b = p;

	if (t->be) {
		b[0] = (uint8_t)(v >> 8);
		b[1] = (uint8_t)v;
	} else {
		b[0] = (uint8_t)v;
		b[1] = (uint8_t)(v >> 8);
	}
}

static inline void tput32(const struct target *t, void *p, uint32_t v)
{
	if (t->be)
		put_be32(p, v);
	else
		put_le32(p, v);
}

static inline void tput64(const struct target *t, void *p, uint64_t v)
{
	if (t->be)
		put_be64(p, v);
	else
		put_le64(p, v);
}

static inline void tputlong(const struct target *t, void *p, uint64_t v)
{
	if (t->ptr_size == 8)
		tput64(t, p, v);
	else
		tput32(t, p, (uint32_t)v);
}

#endif /* MDF_ENDIAN_H */
