# The measurement lab (docs/bench.md), included by the Makefile.
#
#   make bench     measure every door and Linux side by side: the table on
#                  the terminal, build/bench/results.json, build/bench/bench.svg
#
# The Linux peer is Debian's own packaged kernel (the image linux-image-amd64
# depends on, fetched with apt-get download and unpacked into
# build/bench/linux/ by tools/fetch-linux-kernel, never installed) with a
# one-program initramfs: tools/linux-bench/linux-bench.c as /init.

BENCH_DIR       := $(BUILD)/bench
LINUX_BENCH_DIR := $(BENCH_DIR)/linux
LINUX_VMLINUZ   := $(LINUX_BENCH_DIR)/vmlinuz
LINUX_INITRAMFS := $(LINUX_BENCH_DIR)/initramfs.cpio

.PHONY: bench bench-linux
bench:
	@tools/setup-deps
	@$(MAKE) --no-print-directory all bench-linux
	tools/bench

bench-linux: $(LINUX_VMLINUZ) $(LINUX_INITRAMFS)

# Fetched once and kept (delete it to fetch again).
$(LINUX_VMLINUZ):
	tools/fetch-linux-kernel $(LINUX_BENCH_DIR)

$(LINUX_BENCH_DIR)/root/init: tools/linux-bench/linux-bench.c user/bench/measure.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -static -O2 -Wall -Wextra -o $@ $<

$(LINUX_INITRAMFS): $(LINUX_BENCH_DIR)/root/init
	cd $(LINUX_BENCH_DIR)/root && echo init | cpio -o -H newc --quiet > ../initramfs.cpio
