/* The CMOS real-time clock (rtc.c). */
#ifndef SYSGATE_RTC_H
#define SYSGATE_RTC_H
#include <stdbool.h>
#include <stdint.h>
/* The CMOS real-time clock as Unix seconds (UTC), or false if it holds no
 * valid time. */
bool rtc_read_unix(int64_t *seconds);
#endif
