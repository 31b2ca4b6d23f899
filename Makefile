# SPDX-License-Identifier: GPL-2.0-or-later
# makedumpfile (ng): build, test, benchmark, install.
#
#   make                  build build/makedumpfile (dynamic)
#   make LINKTYPE=static  static binary with all codecs, for an initramfs
#   make SANITIZE=1       build with ASan and UBSan
#   make check            install test dependencies, run every test tier
#   make demo             make a real vmcore under QEMU and filter it
#   make bench            compare with Debian's makedumpfile 1.7.2
#   make install PREFIX=/usr DESTDIR=...

PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
DESTDIR	?=
LINKTYPE ?= dynamic
B	:= build
PYTHON	:= /usr/bin/python3

CC	?= cc
PKGS	:= zlib libzstd libdw libelf
CFLAGS	?= -O2 -g
CFLAGS	+= -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Wall -Wextra -Werror \
	   -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers
CPPFLAGS += $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS	:= $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -ldw -lelf -lz -lzstd) -llzo2 -lsnappy -lpthread

ifeq ($(SANITIZE),1)
CFLAGS	+= -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS	+= -fsanitize=address,undefined
B	:= build/asan
endif
ifeq ($(LINKTYPE),static)
LDFLAGS	+= -static
LIBS	+= $(shell pkg-config --static --libs libdw 2>/dev/null) -lstdc++ -lm -lpthread
B	:= build/static
endif

SRCS	:= makedumpfile.c options.c message.c util.c elf_info.c vmcoreinfo.c \
	   kernel.c memmap.c pageflags.c filter.c bitmap.c compress.c kdump.c \
	   output.c flat.c dump.c elf_writer.c split.c freelist.c kernel_tables.c pipeline.c kdump_input.c dmesg.c dwarf_info.c mem_usage.c vtop.c arch/arch.c arch/x86_64.c arch/arm64.c
OBJS	:= $(SRCS:%.c=$(B)/obj/%.o)
LIBOBJS	:= $(filter-out $(B)/obj/makedumpfile.o,$(OBJS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/unit/%)

.PHONY: all clean check check-unit check-fast demo bench install deps format

all: $(B)/makedumpfile

$(B)/makedumpfile: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LIBS)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/unit/%: tests/unit/%.c tests/unit/unit.h $(LIBOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -I. $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LIBS)

-include $(OBJS:.o=.d)

deps:
	@tests/deps.sh

check-unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do $$t; done

# The whole suite: unit tests, sanitizer build of them, the synthetic
# vmcore tier, the real-kernel tiers (boot Debian's kernel under QEMU) and
# a real kdump with the static binary as the capture kernel's collector.
check: deps
	$(MAKE) all check-unit
	$(MAKE) SANITIZE=1 all check-unit
	$(MAKE) LINKTYPE=static all
	MKDUMP_REQUIRE_VMCORES=1 tests/run.sh

demo: deps all
	tests/demo.sh

bench: deps all
	tests/bench.sh

install: $(B)/makedumpfile
	install -D -m 0755 $(B)/makedumpfile $(DESTDIR)$(SBINDIR)/makedumpfile
	install -D -m 0644 man/makedumpfile.8 $(DESTDIR)$(MANDIR)/man8/makedumpfile.8

format:
	clang-format -i $(SRCS) $(wildcard *.h arch/*.h)

clean:
	rm -rf build/obj build/unit build/asan build/static build/makedumpfile
