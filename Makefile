# SPDX-License-Identifier: GPL-2.0-or-later
# makedumpfile (ng): build, test, benchmark, install.
#
#   make                  build build/makedumpfile (dynamic)
#   make LINKTYPE=static  static binary with all codecs, for an initramfs
#   make SANITIZE=1       build with ASan and UBSan
#   make CROSS=aarch64-linux-gnu- LINKTYPE=static
#                         static arm64 binary built on another architecture
#                         (build/static-aarch64/makedumpfile)
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
ifeq ($(CROSS),)
CPPFLAGS += $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS	:= $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -ldw -lelf -lz -lzstd) -llzo2 -lsnappy -lpthread
endif

ifeq ($(SANITIZE),1)
CFLAGS	+= -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS	+= -fsanitize=address,undefined
B	:= build/asan
endif
ifeq ($(LINKTYPE),static)
LDFLAGS	+= -static
ifeq ($(CROSS),)
LIBS	+= $(shell pkg-config --static --libs libdw 2>/dev/null) -lstdc++ -lm -lpthread
B	:= build/static
endif
endif

# Cross build: CROSS is the prefix of Debian's cross toolchain; only
# aarch64-linux-gnu- (gcc-aarch64-linux-gnu), and only static.  The arm64
# headers and static libraries are Debian's arm64 -dev packages (and the
# cross gcc's libstdc++ for snappy), unpacked into XSYSROOT by
# tests/tools/arm64-dev-sysroot.sh before the first compile; nothing is
# installed for arm64.  pkg-config reads the sysroot's .pc files when the
# link runs.
ifneq ($(CROSS),)
XARCH	:= $(CROSS:%-linux-gnu-=%)
ifneq ($(XARCH),aarch64)
$(error CROSS=$(CROSS): only CROSS=aarch64-linux-gnu- is supported)
endif
ifneq ($(LINKTYPE),static)
$(error CROSS=$(CROSS) needs LINKTYPE=static (the sysroot has static libraries only))
endif
ifeq ($(SANITIZE),1)
$(error CROSS=$(CROSS) does not go with SANITIZE=1)
endif
ifeq ($(origin CC),default)
CC	:= $(CROSS)gcc
endif
XSYSROOT := build/arm64-dev-root
XLIBDIR	:= $(XSYSROOT)/usr/lib/$(XARCH)-linux-gnu
XPKGCONFIG := PKG_CONFIG_LIBDIR=$(XLIBDIR)/pkgconfig PKG_CONFIG_SYSROOT_DIR=$(XSYSROOT) pkg-config
CPPFLAGS += -isystem $(XSYSROOT)/usr/include
LIBS	= -L$(XLIBDIR) $(addprefix -L,$(wildcard $(XSYSROOT)/usr/lib/gcc-cross/$(XARCH)-linux-gnu/*)) \
	  $(shell $(XPKGCONFIG) --libs $(PKGS) 2>/dev/null || echo -ldw -lelf -lz -lzstd) -llzo2 -lsnappy -lpthread \
	  $(shell $(XPKGCONFIG) --static --libs libdw 2>/dev/null || echo -ldw -lbz2 -lelf -lz -llzma) -lstdc++ -lm -lpthread
B	:= build/static-$(XARCH)
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

ifneq ($(CROSS),)
$(OBJS) $(UNIT_BINS): | $(XSYSROOT)/.packages

$(XSYSROOT)/.packages: tests/tools/arm64-dev-sysroot.sh
	tests/tools/arm64-dev-sysroot.sh --cc $(CC) $(XSYSROOT)

.PHONY: clean-cross
clean: clean-cross
clean-cross:
	rm -rf $(B)
endif

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
