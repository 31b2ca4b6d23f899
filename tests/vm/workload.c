/*
 * workload.c - anonymous-memory generator for the makedumpfile test VM.
 *
 * Usage: workload MIB
 *
 * Runs inside the QEMU guest (started by tests/vm/init.sh).  It mallocs
 * MIB MiB of anonymous memory and fills every page, cycling through three
 * kinds of content so that a vmcore contains a realistic mix of user pages:
 *   - zero pages   (written with zeros, so they are really allocated),
 *   - random pages (xorshift64* noise, incompressible),
 *   - text pages   (repeated English-like lines, highly compressible,
 *                   each starting with "MKDUMP-USER-PAGE <n>").
 * It then touches everything once more, reports on stdout and sleeps
 * forever, so the memory stays resident until the dump is taken.
 *
 * Built with: gcc -static -O2 -o workload workload.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE 4096

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t xorshift64s(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static const char *const lines[] = {
	"The quick brown fox jumps over the lazy dog.\n",
	"Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n",
	"kernel crash dump test payload: anonymous user memory\n",
	"0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOP\n",
};

static void fill_text(unsigned char *p, size_t n)
{
	size_t off = (size_t)snprintf((char *)p, PAGE, "MKDUMP-USER-PAGE %zu\n", n);
	unsigned k = (unsigned)n;

	while (off < PAGE) {
		const char *l = lines[k++ % 4];
		size_t len = strlen(l);

		if (len > PAGE - off)
			len = PAGE - off;
		memcpy(p + off, l, len);
		off += len;
	}
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 64;
	size_t npages = mib * 1024 * 1024 / PAGE;
	size_t counts[3] = { 0, 0, 0 };
	unsigned char *buf = malloc(npages * PAGE);
	volatile unsigned long sum = 0;

	if (!buf) {
		perror("workload: malloc");
		return 1;
	}

	for (size_t i = 0; i < npages; i++) {
		unsigned char *p = buf + i * PAGE;
		/* 3/8 zero, 3/8 random, 2/8 text */
		switch (i % 8) {
		case 0: case 3: case 6:
			memset(p, 0, PAGE);
			counts[0]++;
			break;
		case 1: case 4: case 7:
			for (size_t j = 0; j < PAGE; j += 8) {
				uint64_t r = xorshift64s();
				memcpy(p + j, &r, 8);
			}
			counts[1]++;
			break;
		default:
			fill_text(p, i);
			counts[2]++;
			break;
		}
	}

	/* Touch everything again so every page is resident and recently used. */
	for (size_t i = 0; i < npages * PAGE; i += PAGE)
		sum += buf[i];

	printf("workload: %zu MiB resident (%zu zero, %zu random, %zu text pages)\n",
	       mib, counts[0], counts[1], counts[2]);
	fflush(stdout);

	for (;;)
		pause();
	return 0;
}
