# Host unit tests for the kernel's pure-logic modules, built with the host
# compiler and the Check library (Debian package `check`).
#
#   make -f tests/host/host.mk host-test-run     standalone, from the top
#   include tests/host/host.mk                    from the top-level Makefile
#
# Targets: host-tests (build $(BUILD)/host/host-tests), host-test-run (build
# and run; non-zero exit on any failure), host-clean.  Everything here is
# prefixed HOST_ so it cannot clash with the kernel build (CC, KCFLAGS,
# UCFLAGS, ...); the only variable shared with the includer is BUILD.
#
# The module sources are compiled against the kernel's common/string.h but
# common/string.c is not linked: the modules use libc's memcpy/strlen/...
# (which ASan intercepts); tests/host/test_string.c compiles it under sg_*
# names.  tests/host/compat.c supplies strlcpy, which
# glibc < 2.38 lacks.

HOST_MK := $(lastword $(MAKEFILE_LIST))
ifeq ($(HOST_MK),$(firstword $(MAKEFILE_LIST)))
HOST_STANDALONE := 1
endif
HOST_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

# The repository root, from where this file is (works from any directory).
HOST_ROOT := $(patsubst %/tests/host/,%,$(dir $(abspath $(HOST_MK))))

BUILD ?= build
HOST_BUILD := $(BUILD)/host
HOST_BIN := $(HOST_BUILD)/host-tests

HOST_CC ?= gcc
HOST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -fsanitize=address,undefined \
               -fno-sanitize-recover=all -fno-omit-frame-pointer -fno-builtin
HOST_CPPFLAGS := -I$(HOST_ROOT)/include -I$(HOST_ROOT) -MMD -MP
HOST_CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
HOST_CHECK_LIBS := $(or $(shell pkg-config --libs check 2>/dev/null),-lcheck)
HOST_LDFLAGS := -fsanitize=address,undefined

# The modules under test (paths relative to HOST_ROOT).
HOST_MODULE_SRCS := kernel/arch/descriptor.c kernel/proc/elf.c kernel/lib/cmdline.c \
                    kernel/mm/frame_alloc.c kernel/proc/cpio.c kernel/mm/vma.c kernel/fs/fstree.c \
                    common/vdso_elf.c kernel/time/timeconv.c kernel/arch/debugcheck.c kernel/drivers/ldisc.c
HOST_TEST_SRCS := tests/host/main.c tests/host/compat.c tests/host/test_descriptor.c \
                  tests/host/test_elf.c tests/host/test_cmdline.c \
                  tests/host/test_frame_alloc.c tests/host/test_uaccess.c tests/host/test_cpio.c \
                  tests/host/test_vma.c tests/host/arc.c tests/host/test_fstree.c \
                  tests/host/test_vdso_elf.c tests/host/test_timeconv.c tests/host/test_debugcheck.c \
                  tests/host/test_ldisc.c tests/host/test_string.c

HOST_MODULE_OBJS := $(patsubst %.c,$(HOST_BUILD)/%.o,$(HOST_MODULE_SRCS))
HOST_TEST_OBJS := $(patsubst %.c,$(HOST_BUILD)/%.o,$(HOST_TEST_SRCS))
HOST_OBJS := $(HOST_MODULE_OBJS) $(HOST_TEST_OBJS)

# Real linker output for the ELF parser: a tiny static, non-PIE, libc-free
# program as ELF64 and ELF32 (never run).
HOST_FIXTURE_SRC := $(HOST_ROOT)/tests/host/fixture_prog.c
HOST_FIXTURES := $(HOST_BUILD)/fixture64.elf $(HOST_BUILD)/fixture32.elf $(HOST_BUILD)/vdso-bad.so
HOST_FIXTURE_CFLAGS := -O1 -nostdlib -static -no-pie -fno-pic -ffreestanding \
                       -fno-asynchronous-unwind-tables

.PHONY: host-tests host-test-run host-clean

host-tests: $(HOST_BIN) $(HOST_FIXTURES)

host-test-run: host-tests
	$(HOST_BIN)

host-clean:
	rm -rf $(HOST_BUILD)

$(HOST_BIN): $(HOST_OBJS)
	$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^ $(HOST_CHECK_LIBS)

$(HOST_MODULE_OBJS): $(HOST_BUILD)/%.o: $(HOST_ROOT)/%.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(HOST_CPPFLAGS) -c -o $@ $<

# test_elf.c reads the fixtures from an absolute path, so the binary runs
# from any directory.
$(HOST_BUILD)/tests/host/test_elf.o: HOST_EXTRA_CPPFLAGS = -DHOST_FIXTURE_DIR='"$(abspath $(HOST_BUILD))"'
# test_vdso_elf.c reads the interface page images the kernel build links
# (build/vdso64/vdso64.so, build/vdso32/vdso32.so; `make all` makes them)
# and runs tools/vdso-check on them and on a shared object it must refuse.
$(HOST_BUILD)/tests/host/test_vdso_elf.o: HOST_EXTRA_CPPFLAGS = -DHOST_VDSO_DIR='"$(abspath $(BUILD))"' \
    -DHOST_ROOT_DIR='"$(HOST_ROOT)"' -DHOST_FIXTURE_DIR='"$(abspath $(HOST_BUILD))"'

$(HOST_TEST_OBJS): $(HOST_BUILD)/%.o: $(HOST_ROOT)/%.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(HOST_CPPFLAGS) $(HOST_EXTRA_CPPFLAGS) $(HOST_CHECK_CFLAGS) -c -o $@ $<

$(HOST_BUILD)/fixture64.elf: $(HOST_FIXTURE_SRC)
	@mkdir -p $(@D)
	$(HOST_CC) -m64 $(HOST_FIXTURE_CFLAGS) -o $@ $<

$(HOST_BUILD)/vdso-bad.so: $(HOST_ROOT)/tests/host/fixture_vdso_bad.c
	@mkdir -p $(@D)
	$(HOST_CC) -shared -fPIC -nostdlib -Wl,--hash-style=both -Wl,-soname=vdso-bad.so -o $@ $<

$(HOST_BUILD)/fixture32.elf: $(HOST_FIXTURE_SRC)
	@mkdir -p $(@D)
	$(HOST_CC) -m32 $(HOST_FIXTURE_CFLAGS) -o $@ $<

-include $(HOST_OBJS:.o=.d)

# Standalone, `make -f tests/host/host.mk` builds the tests; included, the
# includer's default goal stays what it was.
ifdef HOST_STANDALONE
.DEFAULT_GOAL := host-tests
else
.DEFAULT_GOAL := $(HOST_SAVED_DEFAULT_GOAL)
endif
