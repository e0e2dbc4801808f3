/*
 * Touching user memory from the kernel.  Every user pointer goes through
 * two checks:
 *  1. user_range_ok(): the whole range lies in the lower canonical half,
 *     below USER_END, without wrapping (pure: host unit tests cover it);
 *  2. the copy itself runs with fault recovery (uaccess.S): an unmapped
 *     page, or a read-only page written (CR0.WP makes ring 0 honour it),
 *     ends the copy early instead of oopsing the kernel.
 * A failure of either is -EFAULT for the caller.
 */
#ifndef SYSGATE_UACCESS_H
#define SYSGATE_UACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../arch/layout.h"

static inline bool user_range_ok(uint64_t addr, uint64_t len)
{
    return addr <= USER_END && len <= USER_END - addr;
}

/* Return 0 or -EFAULT. */
int copy_from_user(void *dst, uint64_t user_src, size_t n);
int copy_to_user(uint64_t user_dst, const void *src, size_t n);
/* Copies a NUL-terminated string of at most size - 1 characters; returns
 * its length, -EFAULT, or -ENAMETOOLONG when no NUL came within size. */
long strncpy_from_user(char *dst, uint64_t user_src, size_t size);
/* One aligned-or-not 32-bit value; 0 or -EFAULT. */
int get_user_u32(uint32_t *dst, uint64_t user_src);

/* uaccess.S: raw copies that return how many bytes were NOT copied, and a
 * string copy that returns the length or -1 on a fault. */
uint64_t uaccess_copy(void *dst, const void *src, uint64_t n);
int64_t uaccess_strncpy(char *dst, const char *src, uint64_t max);
int uaccess_get32(uint32_t *dst, const void *src);

#endif
