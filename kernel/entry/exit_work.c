/*
 * exit_work.c - what must happen before a return to user mode, done by
 * ret_user (exit.S) when percpu.work is not 0, whatever the door.
 *
 *   WORK_SIGNAL   a signal to act on, or an interrupted call to restart
 *                 (proc/signal.c)
 *
 * Frames that return to ring 0 also pass through ret_user (a fault fixed up
 * inside seg_load_gs's swapgs pair, a #DB at a door's first instruction):
 * the work is only for frames going back to user mode.
 */
#include "frame.h"
#include "../proc/proc.h"

void exit_to_user_work(struct frame *f);

void exit_to_user_work(struct frame *f)
{
    if (!frame_from_user(f))
        return;
    if (percpu0.work & WORK_SIGNAL)
        signal_exit_work(f);
}
