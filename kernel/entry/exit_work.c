/*
 * exit_work.c - what must happen before a return to user mode, done by
 * ret_user (exit.S) when percpu.work is not 0.  While it is set, every fast
 * path sends its calls to the full path (entry/syscall.S, dispatch_fast.S),
 * so this is the one place the work is done, whatever the door.
 *
 *   WORK_RESCHED  a timer tick found the kernel running (the kernel is never
 *                 preempted): switch now, as the tick would have
 *   WORK_TRACE    nothing to do here: it only keeps calls on the full path
 *   WORK_SIGNAL   a signal to act on, or an interrupted call to restart or
 *                 end with -EINTR (proc/signal.c); after a switch, since the
 *                 process switched to may have one
 *   WORK_STEPPED  nothing to do: it only sent the call that entered with TF
 *                 set here, to an exit that restores TF; done with it
 *   WORK_RSEQ     the thread's rseq area and critical section (proc/rseq.c),
 *                 after a switch (which is what makes it due) and before
 *                 signals (a fault there is a SIGSEGV to deliver now)
 *
 * Frames that return to ring 0 also pass through ret_user (a fault fixed up
 * inside seg_load_gs's swapgs pair, a #DB at a door's first instruction):
 * the work is only for frames going back to user mode.
 */
#include "frame.h"
#include "../proc/proc.h"
#include "../proc/rseq.h"

void exit_to_user_work(struct frame *f);

void exit_to_user_work(struct frame *f)
{
    if (!frame_from_user(f))
        return;
    percpu0.work &= ~(uint64_t)WORK_STEPPED;
    if (percpu0.work & WORK_RESCHED) {
        percpu0.work &= ~(uint64_t)WORK_RESCHED;
        schedule();
    }
    if (percpu0.work & WORK_RSEQ)
        rseq_exit_work(f);
    if (percpu0.work & WORK_SIGNAL)
        signal_exit_work(f);
}
