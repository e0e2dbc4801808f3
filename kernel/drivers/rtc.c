/*
 * The CMOS real-time clock (MC146818 and its descendants, on every PC and
 * emulator; QEMU keeps it in UTC by default): read once at boot for
 * CLOCK_REALTIME.  Registers through ports 0x70 (index; bit 7 would mask
 * NMIs, left clear) and 0x71 (data): 0 seconds, 2 minutes, 4 hours, 7 day,
 * 8 month, 9 year, 0x0a status A (bit 7: an update is in progress),
 * 0x0b status B (format).  The fields are read until two passes agree, so
 * that an update between two reads cannot mix two times.
 */
#include "rtc.h"
#include "../arch/io.h"
#include "../time/timeconv.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71

static uint8_t cmos(uint8_t reg)
{
    outb(CMOS_INDEX, reg);
    return inb(CMOS_DATA);
}

static void read_once(struct rtc_regs *r)
{
    /* An update takes under 2 ms once flagged (datasheet): wait it out. */
    for (int i = 0; i < 1000000 && (cmos(0x0a) & 0x80); i++)
        ;
    r->second = cmos(0x00);
    r->minute = cmos(0x02);
    r->hour = cmos(0x04);
    r->day = cmos(0x07);
    r->month = cmos(0x08);
    r->year = cmos(0x09);
    r->status_b = cmos(0x0b);
}

bool rtc_read_unix(int64_t *seconds)
{
    struct rtc_regs a, b;
    read_once(&a);
    for (int tries = 0; tries < 5; tries++) {
        read_once(&b);
        if (a.second == b.second && a.minute == b.minute && a.hour == b.hour && a.day == b.day &&
            a.month == b.month && a.year == b.year)
            return rtc_to_unix(&b, seconds);
        a = b;
    }
    return false;
}
