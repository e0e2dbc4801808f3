/*
 * Random bytes.  RDRAND (CPUID.01H:ECX[30]) and RDSEED (CPUID.(EAX=07H,
 * ECX=0):EBX[18]) set CF when they deliver a value and clear it when the
 * hardware had none ready; Intel's guidance (SDM vol. 1 7.3.17, "Random
 * Number Generator Instructions", and the DRNG software implementation
 * guide) is to retry RDRAND up to 10 times, RDSEED more patiently with a
 * PAUSE between tries.  Should either still fail - or where the CPU has
 * neither - the value comes from a splitmix64 generator seeded at boot from
 * the TSC and stirred with the TSC on every draw: unpredictable enough for
 * AT_RANDOM's stack canary on an emulator, but not cryptographic (docs/linux-abi.md).
 */
#include "random.h"
#include "kernel.h"
#include "../arch/cpu.h"
#include "../arch/io.h"

static bool have_rdrand, have_rdseed;
static uint64_t state;

void random_init(void)
{
    uint32_t r[4];
    cpuid(0, 0, r);
    uint32_t max_leaf = r[0];
    cpuid(1, 0, r);
    have_rdrand = r[2] & (1u << 30);
    if (max_leaf >= 7) {
        cpuid(7, 0, r);
        have_rdseed = r[1] & (1u << 18);
    }
    state = rdtsc() * 0x9e3779b97f4a7c15ull;
}

const char *random_source(void)
{
    return have_rdseed ? "rdseed and rdrand" : have_rdrand ? "rdrand" : "a TSC-seeded generator";
}

static bool rdrand64(uint64_t *v)
{
    for (int i = 0; i < 10; i++) {
        bool ok;
        __asm__ volatile("rdrand %0" : "=r"(*v), "=@ccc"(ok));
        if (ok)
            return true;
    }
    return false;
}

static bool rdseed64(uint64_t *v)
{
    for (int i = 0; i < 100; i++) {
        bool ok;
        __asm__ volatile("rdseed %0" : "=r"(*v), "=@ccc"(ok));
        if (ok)
            return true;
        __asm__ volatile("pause");
    }
    return false;
}

static uint64_t splitmix64(void)
{
    state += 0x9e3779b97f4a7c15ull ^ rdtsc();
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t random64(bool seed)
{
    uint64_t v;
    if (seed && have_rdseed && rdseed64(&v))
        return v;
    if (have_rdrand && rdrand64(&v))
        return v;
    return splitmix64();
}

void random_fill(void *buf, size_t n, bool seed)
{
    uint8_t *p = buf;
    while (n) {
        uint64_t v = random64(seed);
        size_t chunk = n < sizeof v ? n : sizeof v;
        memcpy(p, &v, chunk);
        p += chunk, n -= chunk;
    }
}
