/*
 * A tiny program for the ELF parser tests: host.mk links it static,
 * non-PIE and without libc as ELF64 and ELF32 (fixture64.elf/fixture32.elf)
 * so elf_parse also sees what a real linker writes (text, rodata, data and
 * bss segments, PT_NOTE, PT_GNU_STACK).  It is never run.
 */
const char fixture_message[] = "sysgate host test fixture";
int fixture_data = 42;
int fixture_bss[1024];

void _start(void)
{
    fixture_bss[fixture_data] = fixture_message[0];
    for (;;)
        ;
}
