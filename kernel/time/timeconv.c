/* Pure time arithmetic: see timeconv.h. */
#include "timeconv.h"

int64_t days_from_civil(int64_t year, unsigned month, unsigned day)
{
    /* Count from 1 March of year 0, so that the leap day ends a year: a
     * 400-year era has 146097 days, a year starting in March has
     * (153 * m + 2) / 5 days before month m (m = 0 for March). */
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t year_of_era = year - era * 400;
    unsigned m = month > 2 ? month - 3 : month + 9;
    int64_t day_of_year = (153 * m + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;      /* 719468: days from 0000-03-01 to 1970-01-01 */
}

static bool from_bcd(uint8_t v, uint8_t *out)
{
    if ((v & 0x0f) > 9 || (v >> 4) > 9)
        return false;
    *out = (uint8_t)((v >> 4) * 10 + (v & 0x0f));
    return true;
}

static bool is_leap(unsigned year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

bool rtc_to_unix(const struct rtc_regs *r, int64_t *seconds)
{
    bool binary = r->status_b & 0x04, h24 = r->status_b & 0x02;
    bool pm = !h24 && (r->hour & 0x80);
    uint8_t second = r->second, minute = r->minute, hour = r->hour & 0x7f, day = r->day, month = r->month,
            year = r->year;
    if (!binary && !(from_bcd(second, &second) && from_bcd(minute, &minute) && from_bcd(hour, &hour) &&
                     from_bcd(day, &day) && from_bcd(month, &month) && from_bcd(year, &year)))
        return false;
    if (!h24) {             /* 12 AM is 0:xx, 12 PM is 12:xx */
        if (hour < 1 || hour > 12)
            return false;
        hour = (uint8_t)(hour % 12 + (pm ? 12 : 0));
    }
    static const uint8_t month_days[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    unsigned full_year = 2000u + year;
    if (second > 59 || minute > 59 || hour > 23 || year > 99 || month < 1 || month > 12 || day < 1 ||
        day > month_days[month - 1] || (month == 2 && day == 29 && !is_leap(full_year)))
        return false;
    *seconds = days_from_civil(full_year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
    return true;
}

void clock_mult_shift(uint64_t hz, uint32_t *mult, uint32_t *shift)
{
    uint32_t s = 32;
    uint64_t m;
    for (;; s--) {
        m = ((uint64_t)1000000000 << s) / hz;
        if (m < (1u << 24) || s == 0)
            break;
    }
    *mult = (uint32_t)m;
    *shift = s;
}
