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
# one-program initramfs: tools/linux-bench/linux-bench.c as /init.

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

$(LINUX_BENCH_DIR)/root/init: tools/linux-bench/linux-bench.c user/bench/measure.h common/vdso_elf.c common/vdso_elf.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -Iinclude -I. -static -O2 -Wall -Wextra -o $@ $< common/vdso_elf.c

$(LINUX_INITRAMFS): $(LINUX_BENCH_DIR)/root/init
	cd $(LINUX_BENCH_DIR)/root && echo init | cpio -o -H newc --quiet > ../initramfs.cpio

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
