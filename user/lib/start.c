/* sg_start: reads the initial stack (argc, argv, envp, auxv), finds the
 * interface page, runs main. */
#include "sysgate.h"
#include <sysgate/kip.h>

int sg_argc;
char **sg_argv;
char **sg_envp;
uintptr_t *sg_initial_sp;
uintptr_t sg_kip;
static uintptr_t *auxv;
extern uintptr_t sg_kip_entry;

uintptr_t sg_auxv_get(uintptr_t type)
{
    for (uintptr_t *a = auxv; a && a[0] != SG_AT_NULL; a += 2)
        if (a[0] == type)
            return a[1];
    return 0;
}

__attribute__((noreturn)) void sg_start(uintptr_t *sp)
{
    sg_initial_sp = sp;
    sg_argc = (int)sp[0];
    sg_argv = (char **)(sp + 1);
    char **envp = sg_envp = sg_argv + sg_argc + 1;
    while (*envp)
        envp++;
    auxv = (uintptr_t *)(envp + 1);

    sg_kip = sg_auxv_get(SG_AT_KIP);
    const struct sg_kip_header *h = sg_kip_header();
    if (h)
        sg_kip_entry = sg_kip + h->default_offset;
    sys_exit(main(sg_argc, sg_argv));
}
