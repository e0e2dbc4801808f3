/* Copies to and from user memory, range-checked, through uaccess.S (uaccess.h). */
#include "uaccess.h"
#include "../../include/sysgate/abi.h"

int copy_from_user(void *dst, uint64_t user_src, size_t n)
{
    if (!user_range_ok(user_src, n))
        return -SG_EFAULT;
    return uaccess_copy(dst, (const void *)user_src, n) ? -SG_EFAULT : 0;
}

int copy_to_user(uint64_t user_dst, const void *src, size_t n)
{
    if (!user_range_ok(user_dst, n))
        return -SG_EFAULT;
    return uaccess_copy((void *)user_dst, src, n) ? -SG_EFAULT : 0;
}

long strncpy_from_user(char *dst, uint64_t user_src, size_t size)
{
    if (size == 0 || user_src >= USER_END)
        return -SG_EFAULT;
    /* Never read past USER_END, even when the string would go on. */
    uint64_t room = USER_END - user_src;
    uint64_t max = size < room ? size : room;
    int64_t len = uaccess_strncpy(dst, (const char *)user_src, max);
    if (len < 0)
        return -SG_EFAULT;
    if ((uint64_t)len == max)
        return max < size ? -SG_EFAULT : -SG_ENAMETOOLONG;
    return len;
}

int get_user_u32(uint32_t *dst, uint64_t user_src)
{
    if (!user_range_ok(user_src, sizeof *dst))
        return -SG_EFAULT;
    return uaccess_get32(dst, (const void *)user_src) ? -SG_EFAULT : 0;
}
