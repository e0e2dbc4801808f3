/* sg_set_debugreg and sg_get_debugreg: a process's own debug registers
 * (arch/debugreg.c has the checks; abi.h the interface). */
#include "syscall.h"
#include "uaccess.h"
#include "../proc/proc.h"
#include <sysgate/abi.h>

long sys_sg_set_debugreg(uint64_t reg, uint64_t value)
{
    return reg > 7 ? -SG_EINVAL : debug_set(&current_proc()->debug, (int)reg, value);
}

long sys_sg_get_debugreg(uint64_t reg, uint64_t out)
{
    uint64_t v;
    long r = reg > 7 ? -SG_EINVAL : debug_get(&current_proc()->debug, (int)reg, &v);
    if (r)
        return r;
    return copy_to_user(out, &v, sizeof v) ? -SG_EFAULT : 0;
}
