# The measurement lab (docs/bench.md), included by the Makefile.
#
#   make bench     measure every door and Linux side by side: the table on
#                  the terminal, build/bench/results.json, build/bench/bench.svg
#   make bench-baseline
#                  measure sysgate again and rewrite tests/bench-baseline and
#                  the tables of docs/bench.md: the deliberate way to change
#                  the figures `make test` expects
#
# The Linux peer is Debian's own packaged kernel (the image linux-image-amd64
# depends on, fetched with apt-get download and unpacked into
# build/bench/linux/ by tools/fetch-linux-kernel, never installed) with a
# small initramfs: tools/linux-bench/linux-bench.c as /init (and /init32),
# and the program the fork_exec row executes.

BENCH_DIR       := $(BUILD)/bench
LINUX_BENCH_DIR := $(BENCH_DIR)/linux
LINUX_VMLINUZ   := $(LINUX_BENCH_DIR)/vmlinuz
LINUX_INITRAMFS := $(LINUX_BENCH_DIR)/initramfs.cpio

# /bin/bench32: the same benchmark built for 32-bit code, run by /bin/bench
# after its own figures.
BENCH32 := $(BUILD)/initrd/bin/bench32
$(INITRD): $(BENCH32)
$(BENCH32): $(BUILD)/u32/user/bench/bench.c.o $(ULIB32) user/lib/user.ld
	$(link_user32)

# The program the fork_exec row executes (user/bench/lmbench.h): one image
# per width, built once by the host and copied into both systems' initrds.
BENCH_EXIT_DIR := $(BUILD)/bench/exit
$(BENCH_EXIT_DIR)/bench-exit: user/bench/bench-exit.S
	@mkdir -p $(dir $@)
	$(CC) -nostdlib -static -Wl,--build-id=none -o $@ $<
$(BENCH_EXIT_DIR)/bench-exit32: user/bench/bench-exit.S
	@mkdir -p $(dir $@)
	$(CC) -m32 -nostdlib -static -Wl,--build-id=none -o $@ $<
$(INITRD): $(BUILD)/initrd/bin/bench-exit $(BUILD)/initrd/bin/bench-exit32
$(BUILD)/initrd/bin/bench-exit $(BUILD)/initrd/bin/bench-exit32: $(BUILD)/initrd/bin/%: $(BENCH_EXIT_DIR)/%
	@mkdir -p $(dir $@)
	cp $< $@

.PHONY: bench bench-linux bench-baseline
bench-baseline:
	@tools/setup-deps
	@$(MAKE) --no-print-directory all
	tools/bench --write-baseline --kernel $(KERNEL32) --initrd $(INITRD) --out $(BENCH_DIR)

bench:
	@tools/setup-deps
	@$(MAKE) --no-print-directory all bench-linux
	tools/bench --kernel $(KERNEL32) --initrd $(INITRD) --linux-kernel $(LINUX_VMLINUZ) \
	    --linux-initrd $(LINUX_INITRAMFS) --out $(BENCH_DIR)

bench-linux: $(LINUX_VMLINUZ) $(LINUX_INITRAMFS)

# Fetched once and kept (delete it to fetch again).
$(LINUX_VMLINUZ):
	tools/fetch-linux-kernel $(LINUX_BENCH_DIR)

# /init (64-bit) and /init32, which /init runs after its own figures: the
# same source, glibc, static.  The lmbench-style rows are user/bench/lmbench.h
# calling through user/lib/syscall.S and returning from handlers through
# user/lib/sigrestore.S, as in /bin/bench: built with the code generation
# sysgate's programs have (COMMON_CFLAGS: no PIE, no stack protector, ...)
# so that the user side of those rows is the same code on both systems.
LINUX_PEER_SRCS  := tools/linux-bench/linux-bench.c common/vdso_elf.c user/lib/syscall.S user/lib/sigrestore.S
LINUX_PEER_DEPS  := $(LINUX_PEER_SRCS) user/bench/measure.h user/bench/lmbench.h common/vdso_elf.h \
                    include/sysgate/signal.h
LINUX_PEER_FILES := init init32 bin/bench-exit bin/bench-exit32
$(LINUX_BENCH_DIR)/root/init: $(LINUX_PEER_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(COMMON_CFLAGS) -static -o $@ $(LINUX_PEER_SRCS)
$(LINUX_BENCH_DIR)/root/init32: $(LINUX_PEER_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(COMMON_CFLAGS) -m32 -march=i686 -msse2 -static -o $@ $(LINUX_PEER_SRCS)
$(LINUX_BENCH_DIR)/root/bin/%: $(BENCH_EXIT_DIR)/%
	@mkdir -p $(dir $@)
	cp $< $@

$(LINUX_INITRAMFS): $(addprefix $(LINUX_BENCH_DIR)/root/,$(LINUX_PEER_FILES))
	cd $(LINUX_BENCH_DIR)/root && printf '%s\n' bin $(LINUX_PEER_FILES) | cpio -o -H newc --quiet > ../initramfs.cpio

# Hardware cycles on bare metal: an ISO like `make iso` whose GRUB entry
# starts /bin/bench as init.  Boot it, capture COM1 (115200 8N1), then
#   tools/bench --import serial.log --label "the CPU's name"
.PHONY: bench-iso
bench-iso: $(BUILD)/sysgate-bench.iso
$(BUILD)/sysgate-bench.iso: $(KERNEL) $(INITRD) tools/grub.cfg
	@tools/setup-deps --check-only iso
	rm -rf $(BUILD)/bench-iso && mkdir -p $(BUILD)/bench-iso/boot/grub
	cp $(KERNEL) $(BUILD)/bench-iso/boot/kernel.elf
	cp $(INITRD) $(BUILD)/bench-iso/boot/initrd.cpio
	sed 's|^\( *multiboot2 /boot/kernel.elf\)$$|\1 init=/bin/bench|' tools/grub.cfg > $(BUILD)/bench-iso/boot/grub/grub.cfg
	grep -q 'init=/bin/bench' $(BUILD)/bench-iso/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(BUILD)/bench-iso 2>$(BUILD)/grub-mkrescue-bench.log
