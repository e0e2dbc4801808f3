/*
 * A shared object that tools/vdso-check must refuse: its pointer to itself
 * needs a dynamic relocation (R_X86_64_64 against it), which an image copied
 * unchanged to any address cannot have (test_vdso_elf.c).
 */
void *self_pointer = &self_pointer;
