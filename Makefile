# sysgate - every way into an x86-64 kernel, side by side.
#
#   make            build the kernel, the user programs and the initrd
#   make run        boot under QEMU and run the demo (INIT=prog to run your own)
#   make shell      boot into busybox's shell on this terminal
#   make test       host unit tests + in-guest tests on every CPU model
#   make soak       the fuzzer's long run: 10 million hostile calls per door and width
#   make iso        a GRUB (Multiboot2) ISO for other emulators or real hardware
#   make debug      boot halted, with QEMU's gdb stub, and attach gdb
#   make deps       install what is missing (Debian packages)

BUILD    ?= build
CC       := gcc
LD       := ld
OBJCOPY  := objcopy
GIT_REV  := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

# Include paths for every build (kernel, user space, the vDSO; the host tests
# and the Linux peer add the same): the ABI as <sysgate/abi.h> (include/), the
# code kernel and user space share as <common/string.h> (common/).
INCLUDES := -Iinclude -I.

COMMON_CFLAGS := $(INCLUDES) -std=gnu11 -O2 -g -Wall -Wextra -ffreestanding -fno-pic -fno-pie \
                 -fno-stack-protector -fno-asynchronous-unwind-tables \
                 -fno-tree-loop-distribute-patterns -fcf-protection=none

# The kernel: no red zone (interrupts push onto the kernel stack below
# RSP), no SSE/x87 (user FPU state is only saved on a switch), kernel code
# model (linked in the top 2 GiB).
KCFLAGS := $(COMMON_CFLAGS) -I$(BUILD) -mcmodel=kernel -mno-red-zone -mno-mmx -mno-sse -mno-sse2 \
           -mno-80387 -fno-omit-frame-pointer
KASFLAGS := -g -D__ASSEMBLER__

UCFLAGS := $(COMMON_CFLAGS) -static
UASFLAGS := -g -D__ASSEMBLER__
# The same user sources for 32-bit processes (compatibility mode).
U32CFLAGS := $(UCFLAGS) -m32 -march=i686 -msse2

KERNEL_SRCS := $(wildcard boot/*.S) $(wildcard kernel/*.c kernel/*/*.c kernel/*/*.S) \
               common/format.c common/string.c common/vdso_elf.c
KERNEL_OBJS := $(patsubst %,$(BUILD)/k/%.o,$(KERNEL_SRCS))

ULIB_SRCS := $(wildcard user/lib/*.c user/lib/*.S) common/format.c common/string.c common/vdso_elf.c
ULIB_OBJS := $(patsubst %,$(BUILD)/u/%.o,$(ULIB_SRCS))
ULIB      := $(BUILD)/u/libsysgate.a
ULIB32_OBJS := $(patsubst %,$(BUILD)/u32/%.o,$(ULIB_SRCS))
ULIB32    := $(BUILD)/u32/libsysgate.a

# Every program in the initrd: user/<dir>/<name>.c -> /bin/<name>, tests
# under /bin/tests/.
PROGRAMS := $(patsubst user/init/%.c,$(BUILD)/initrd/bin/%,$(wildcard user/init/*.c)) \
            $(patsubst user/demo/%.c,$(BUILD)/initrd/bin/%,$(wildcard user/demo/*.c)) \
            $(patsubst user/bench/%.c,$(BUILD)/initrd/bin/%,$(wildcard user/bench/*.c)) \
            $(patsubst user/tests/%.c,$(BUILD)/initrd/bin/tests/%,$(wildcard user/tests/*.c)) \
            $(patsubst user/tests/%.c,$(BUILD)/initrd/bin/tests32/%,$(wildcard user/tests/*.c)) \
            $(patsubst user/demo/%.c,$(BUILD)/initrd/bin/%32,$(wildcard user/demo/*.c)) \
            $(patsubst user/compat/%.c,$(BUILD)/initrd/bin/tests32/%,$(wildcard user/compat/*.c))

KERNEL   := $(BUILD)/kernel.elf
KERNEL32 := $(BUILD)/kernel32.elf
INITRD   := $(BUILD)/initrd.cpio

.PHONY: all run shell test soak iso debug deps clean host-tests guest-tests
all: $(KERNEL) $(KERNEL32) $(INITRD)

# The git revision the kernel reports, rewritten only when it changes.
$(BUILD)/gitrev.h: FORCE
	@mkdir -p $(BUILD)
	@echo '#define SYSGATE_GIT_REV "$(GIT_REV)"' > $@.tmp
	@cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@
.PHONY: FORCE
$(BUILD)/k/kernel/main.c.o $(BUILD)/k/kernel/syscall/sys_sysgate.c.o: $(BUILD)/gitrev.h

# Linux's system-call and errno names, from the host's Linux headers, for
# the trace and the unimplemented-call log.
$(BUILD)/linux_names.h: tools/gen-linux-names
	@mkdir -p $(BUILD)
	tools/gen-linux-names $@
$(BUILD)/k/kernel/syscall/trace.c.o: $(BUILD)/linux_names.h

deps:
	@tools/setup-deps

$(BUILD)/k/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/k/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) $(KASFLAGS) -MMD -MP -c $< -o $@

# The interface pages (kernel/kip/vdso/): one ELF shared object per width,
# like Linux's vDSO, linked at 0 from their own sources with a linker script
# and embedded in the kernel by kernel/kip/kip_image.S.  Position-independent
# user code; tools/vdso-check fails the build on any dynamic relocation.  The
# embedded image is stripped (like Linux's, it keeps its section headers).
VDSO_DIR     := kernel/kip/vdso
VDSO_CFLAGS  := $(INCLUDES) -std=gnu11 -O2 -g -Wall -Wextra -ffreestanding -fPIC -fno-stack-protector \
                -fno-asynchronous-unwind-tables -fcf-protection=none -mno-red-zone -mgeneral-regs-only
VDSO_LDFLAGS := -shared -nostdlib --hash-style=both --build-id=none -Bsymbolic --no-undefined \
                -z max-page-size=4096 -z noexecstack
VDSO64 := $(BUILD)/vdso64/vdso64.so
VDSO32 := $(BUILD)/vdso32/vdso32.so

$(BUILD)/vdso64/%.c.o: $(VDSO_DIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) -m64 $(VDSO_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/vdso32/%.c.o: $(VDSO_DIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) -m32 -march=i686 $(VDSO_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/vdso64/%.S.o: $(VDSO_DIR)/%.S
	@mkdir -p $(dir $@)
	$(CC) -m64 $(INCLUDES) -D__ASSEMBLER__ -MMD -MP -c $< -o $@
$(BUILD)/vdso32/%.S.o: $(VDSO_DIR)/%.S
	@mkdir -p $(dir $@)
	$(CC) -m32 $(INCLUDES) -D__ASSEMBLER__ -MMD -MP -c $< -o $@
$(BUILD)/vdso%.lds: $(VDSO_DIR)/vdso%.lds.S $(VDSO_DIR)/vdso-layout.lds.S include/sysgate/kip.h include/sysgate/doors.def
	@mkdir -p $(dir $@)
	$(CC) -E -P -x c $(INCLUDES) -D__ASSEMBLER__ $< -o $@

$(VDSO64): $(BUILD)/vdso64/kip_stubs.S.o $(BUILD)/vdso64/vclock.c.o $(BUILD)/vdso64.lds tools/vdso-check
	$(LD) -m elf_x86_64 $(VDSO_LDFLAGS) -soname=linux-vdso.so.1 -T $(BUILD)/vdso64.lds -o $@.tmp \
	    $(filter %.o,$^)
	tools/vdso-check $@.tmp
	$(OBJCOPY) --strip-all $@.tmp $@ && rm $@.tmp
$(VDSO32): $(BUILD)/vdso32/kip32_stubs.S.o $(BUILD)/vdso32/vclock.c.o $(BUILD)/vdso32.lds tools/vdso-check
	$(LD) -m elf_i386 $(VDSO_LDFLAGS) -soname=linux-gate.so.1 -T $(BUILD)/vdso32.lds -o $@.tmp \
	    $(filter %.o,$^)
	tools/vdso-check $@.tmp
	$(OBJCOPY) --strip-all $@.tmp $@ && rm $@.tmp

$(BUILD)/k/kernel/kip/kip_image.S.o: $(VDSO64) $(VDSO32)
$(BUILD)/k/kernel/kip/kip_image.S.o: KASFLAGS += -DVDSO64_IMAGE='"$(VDSO64)"' -DVDSO32_IMAGE='"$(VDSO32)"'

# The fast path's rule, checked on the linked kernel: no FAST call's handler
# reaches the frame, the scheduler or a process's end (tools/check-fast-calls).
$(KERNEL): $(KERNEL_OBJS) boot/linker.ld tools/check-fast-calls include/sysgate/syscalls.def
	$(LD) -n -nostdlib -z max-page-size=4096 -T boot/linker.ld -o $@.tmp $(KERNEL_OBJS)
	tools/check-fast-calls $@.tmp include/sysgate/syscalls.def
	mv $@.tmp $@

# QEMU's Multiboot loader takes only 32-bit ELF files: the same image,
# relabelled (its load addresses are the physical ones already).
$(KERNEL32): $(KERNEL)
	$(OBJCOPY) -O elf32-i386 $< $@

$(BUILD)/u/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/u/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) $(UASFLAGS) -MMD -MP -c $< -o $@

$(ULIB): $(ULIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/u32/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(U32CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/u32/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(U32CFLAGS) $(UASFLAGS) -MMD -MP -c $< -o $@

$(ULIB32): $(ULIB32_OBJS)
	rm -f $@
	ar rcs $@ $^

# crt0 must come first so that _start opens the text.
define link_user
	@mkdir -p $(dir $@)
	$(LD) -m elf_x86_64 -nostdlib -static -z max-page-size=4096 -T user/lib/user.ld -o $@ \
	    $(BUILD)/u/user/lib/crt0.S.o $< $(ULIB)
endef
define link_user32
	@mkdir -p $(dir $@)
	$(LD) -m elf_i386 -nostdlib -static -z max-page-size=4096 -T user/lib/user.ld -o $@ \
	    $(BUILD)/u32/user/lib/crt0.S.o $< $(ULIB32) $(LIBGCC32)
endef
# 64-bit division in 32-bit code (printf) comes from libgcc.
LIBGCC32 = $(shell $(CC) -m32 -print-libgcc-file-name)

$(BUILD)/initrd/bin/%: $(BUILD)/u/user/init/%.c.o $(ULIB) user/lib/user.ld
	$(link_user)
$(BUILD)/initrd/bin/%: $(BUILD)/u/user/demo/%.c.o $(ULIB) user/lib/user.ld
	$(link_user)
$(BUILD)/initrd/bin/%: $(BUILD)/u/user/bench/%.c.o $(ULIB) user/lib/user.ld
	$(link_user)
$(BUILD)/initrd/bin/tests/%: $(BUILD)/u/user/tests/%.c.o $(ULIB) user/lib/user.ld
	$(link_user)
$(BUILD)/initrd/bin/tests32/%: $(BUILD)/u32/user/tests/%.c.o $(ULIB32) user/lib/user.ld
	$(link_user32)
$(BUILD)/initrd/bin/%32: $(BUILD)/u32/user/demo/%.c.o $(ULIB32) user/lib/user.ld
	$(link_user32)
# user/compat: 32-bit programs that use nothing of sysgate's library, only
# what an unmodified i386 program would (their own _start, AT_SYSINFO).
$(BUILD)/initrd/bin/tests32/%: $(BUILD)/u32/user/compat/%.c.o
	@mkdir -p $(dir $@)
	$(LD) -m elf_i386 -nostdlib -static -z max-page-size=4096 -e _start -Ttext-segment=0x8048000 -o $@ $<

# ---- real clients: unmodified Linux programs (tests/run-clients) ----
# Debian's busybox-static (amd64, i386) and musl-dev:i386, fetched once
# into build/clients by tools/fetch-clients; C programs from user/clients
# built by the host's toolchains with glibc and musl, both widths; the
# fixture files the cases read, under /clients.
CLIENTS := $(BUILD)/clients
CLIENT_CFLAGS := -O2 -g -Wall -Wextra -static
CLIENT_PROGS := $(foreach p,$(basename $(notdir $(wildcard user/clients/*.c))), \
                  $(foreach v,glibc64 glibc32 musl64 musl32,$(BUILD)/initrd/bin/clients/$(p)-$(v)))
CLIENT_FILES := $(BUILD)/initrd/bin/busybox $(BUILD)/initrd/bin/busybox32 $(CLIENT_PROGS) \
                $(patsubst tests/clients/fixture/%,$(BUILD)/initrd/clients/%,$(wildcard tests/clients/fixture/*))

$(CLIENTS)/versions: tools/fetch-clients
	tools/fetch-clients $(CLIENTS)
	@touch $@
$(BUILD)/initrd/bin/busybox: $(CLIENTS)/versions
	@mkdir -p $(dir $@)
	cp $(CLIENTS)/amd64/busybox $@
$(BUILD)/initrd/bin/busybox32: $(CLIENTS)/versions
	@mkdir -p $(dir $@)
	cp $(CLIENTS)/i386/busybox $@
# Debian's musl-gcc specs for i386, pointed at the unpacked musl-dev:i386.
$(CLIENTS)/musl32.specs: $(CLIENTS)/versions
	sed 's|/usr/|$(abspath $(CLIENTS))/musl-i386/usr/|g' \
	    $(CLIENTS)/musl-i386/usr/lib/i386-linux-musl/musl-gcc.specs > $@
# avx.c is AVX2 code throughout (the ymm state across switches and signals).
$(BUILD)/initrd/bin/clients/avx-%: CLIENT_CFLAGS += -mavx2
$(BUILD)/initrd/bin/clients/%-glibc64: user/clients/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CLIENT_CFLAGS) -o $@ $<
$(BUILD)/initrd/bin/clients/%-glibc32: user/clients/%.c
	@mkdir -p $(dir $@)
	$(CC) -m32 $(CLIENT_CFLAGS) -o $@ $<
$(BUILD)/initrd/bin/clients/%-musl64: user/clients/%.c
	@mkdir -p $(dir $@)
	musl-gcc $(CLIENT_CFLAGS) -o $@ $<
$(BUILD)/initrd/bin/clients/%-musl32: user/clients/%.c $(CLIENTS)/musl32.specs
	@mkdir -p $(dir $@)
	$(CC) -m32 -specs $(CLIENTS)/musl32.specs $(CLIENT_CFLAGS) -Wl,-m,elf_i386 -o $@ $<
$(BUILD)/initrd/clients/%: tests/clients/fixture/%
	@mkdir -p $(dir $@)
	cp $< $@
# The driver gets the case list compiled in.
$(CLIENTS)/cases.h: tests/clients/cases tools/gen-client-cases
	@mkdir -p $(dir $@)
	tools/gen-client-cases $< $@
$(BUILD)/u/user/init/clientrun.c.o: $(CLIENTS)/cases.h
$(BUILD)/u/user/init/clientrun.c.o: UCFLAGS += -I$(CLIENTS)

# The file-system tests' fixture (user/tests/files.c checks every byte
# and field of it): /fixture with known contents, modes, a nested
# directory, symlinks (relative, absolute, to a directory, dangling, a
# loop) and one mtime for all.
FIXTURE_STAMP := $(BUILD)/fixture.stamp
$(FIXTURE_STAMP): Makefile
	rm -rf $(BUILD)/initrd/fixture && mkdir -p $(BUILD)/initrd/fixture/dir/sub
	cd $(BUILD)/initrd/fixture && printf 'hello, initrd\n' > hello.txt && : > empty && \
	    perl -e 'print chr($$_ % 251) for 0..4195' > data.bin && printf 'deep\n' > dir/sub/deep.txt && \
	    printf '#!/bin/sh\n' > dir/exec.sh && chmod 0644 hello.txt empty && chmod 0600 data.bin && \
	    chmod 0755 dir dir/exec.sh && chmod 0750 dir/sub && ln -s hello.txt link && \
	    ln -s dir/sub dirlink && ln -s /fixture/dir abslink && ln -s nowhere dangling && \
	    ln -s loop2 loop1 && ln -s loop1 loop2 && find . -exec touch -h -d @1700000000 {} +
	@touch $@

# The initrd: everything under the staging directory $(BUILD)/initrd -
# directories, files, symlinks - with inode numbers counted from 1.
define make_cpio
	cd $(1) && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 --renumber-inodes --ignore-devno > $(2)
endef
$(INITRD): $(PROGRAMS) $(FIXTURE_STAMP) $(CLIENT_FILES)
	$(call make_cpio,$(BUILD)/initrd,../initrd.cpio)

# make run INIT=program ARGS="..." ROOT=dir: INIT, a file on the host, joins
# the initrd as /bin/<name> (a path that is no host file names a program
# already in the initrd, e.g. INIT=/bin/busybox) and runs as the first
# process, with ARGS as its argv[1...] (after `--` on the kernel command
# line); the contents of ROOT join the initrd.
RUN_INIT_PATH := $(if $(INIT),$(if $(wildcard $(INIT)),/bin/$(notdir $(INIT)),$(INIT)))
RUN_APPEND := $(if $(INIT),init=$(RUN_INIT_PATH)) $(APPEND) $(if $(ARGS),-- $(ARGS))
ifneq ($(wildcard $(INIT))$(ROOT),)
RUN_INITRD := $(BUILD)/run-initrd.cpio
$(RUN_INITRD): $(INITRD) $(wildcard $(INIT))
	rm -rf $(BUILD)/run-initrd && cp -a $(BUILD)/initrd $(BUILD)/run-initrd
	$(if $(wildcard $(INIT)),cp $(INIT) $(BUILD)/run-initrd/bin/$(notdir $(INIT)))
	$(if $(ROOT),cp -a $(ROOT)/. $(BUILD)/run-initrd/)
	$(call make_cpio,$(BUILD)/run-initrd,../run-initrd.cpio)
.PHONY: $(RUN_INITRD)
else
RUN_INITRD := $(INITRD)
endif

# run, debug, iso and test first install what is missing (as root; otherwise
# they name the packages), then build.
run:
	@tools/setup-deps
	@$(MAKE) --no-print-directory all $(RUN_INITRD)
	tools/qemu-boot --kernel $(KERNEL32) --initrd $(RUN_INITRD) --append '$(RUN_APPEND)' \
	    --console --timeout $(or $(TIMEOUT),300) $(if $(CPU),--cpu $(CPU))

# make shell: busybox's shell on this terminal - QEMU's stdio is the serial
# port, the console.  busybox's sh as init starts an interactive sh in a
# session of its own with the console as its controlling terminal (setsid
# -c: job control, ^C to the foreground job) and ends with its status, which
# becomes QEMU's (tests/run-console boots the same).  BUSYBOX=/bin/busybox32
# for the i386 one.
SHELL_BUSYBOX = $(or $(BUSYBOX),/bin/busybox)
shell:
	@tools/setup-deps
	@$(MAKE) --no-print-directory all
	tools/qemu-boot --kernel $(KERNEL32) --initrd $(INITRD) \
	    --append 'init=$(SHELL_BUSYBOX) $(APPEND) -- sh -c "$(SHELL_BUSYBOX) setsid -c $(SHELL_BUSYBOX) sh -i; exit $$?"' \
	    --timeout $(or $(TIMEOUT),86400) $(if $(CPU),--cpu $(CPU))

# QEMU waits halted for gdb on :1234 and goes when gdb does.
debug:
	@tools/setup-deps
	@$(MAKE) --no-print-directory all
	tools/qemu-boot --kernel $(KERNEL32) --initrd $(INITRD) --append "$(APPEND)" --tcg \
	    --console --gdb --timeout 3600 & qemu=$$!; sleep 1; \
	gdb -q -ex "file $(KERNEL)" -ex "target remote :1234" -ex "break kmain" -ex continue; \
	kill $$qemu 2>/dev/null; wait $$qemu 2>/dev/null; true

iso:
	@tools/setup-deps
	@$(MAKE) --no-print-directory $(BUILD)/sysgate.iso
$(BUILD)/sysgate.iso: $(KERNEL) $(INITRD) tools/grub.cfg
	rm -rf $(BUILD)/iso && mkdir -p $(BUILD)/iso/boot/grub
	cp $(KERNEL) $(BUILD)/iso/boot/kernel.elf
	cp $(INITRD) $(BUILD)/iso/boot/initrd.cpio
	cp tools/grub.cfg $(BUILD)/iso/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(BUILD)/iso 2>$(BUILD)/grub-mkrescue.log

include tests/host/host.mk
-include tools/bench.mk

guest-tests: all
	@tools/setup-deps --check-only qemu
	tests/run-guest --kernel $(KERNEL32) --initrd $(INITRD)

test:
	@tools/setup-deps
	@$(MAKE) --no-print-directory all host-tests
	@tests/run-all

# The fuzzer's long run: SOAK_CALLS hostile system calls per door and
# width (ten million by default) on the Intel and the AMD model, with the
# calls per second each door managed.  Not part of `make test`; README says
# how long it takes.  It boots copies of the kernel and initrd and keeps its
# logs in build/soak/, so the tree may be rebuilt and tested meanwhile.
SOAK_CALLS ?= 10000000
soak: all
	@tools/setup-deps --check-only qemu
	@mkdir -p $(BUILD)/soak
	cp $(KERNEL32) $(INITRD) $(BUILD)/soak/
	SG_LOGDIR=$(BUILD)/soak tests/run-guest --kernel $(BUILD)/soak/kernel32.elf \
	    --initrd $(BUILD)/soak/initrd.cpio --configs tcg-intel,tcg-amd --timeout 7200 \
	    --tests fuzz:$(SOAK_CALLS),32/fuzz:$(SOAK_CALLS)
	@grep "calls per second" $(BUILD)/soak/tcg-intel.log $(BUILD)/soak/tcg-amd.log | tr -d '\r'

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
