/*
 * LD_PRELOAD shim for SIPp (3.6): its event loop calls epoll_wait with a hard-coded 1 ms timeout,
 * so every idle SIPp process wakes 1,000 times a second whatever -timer_resol says. A test holding
 * 75 phones open (SupervisionSoak) then spends 1-1.6 cores on empty wake-ups and starves the stack
 * under test. This raises exactly that 1 ms timeout to CALLSUP_SIPP_POLL_MS (default 20): a
 * datagram still wakes SIPp at once; only its timers (pauses, retransmissions) get 20 ms coarse.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/epoll.h>

static int (*real_epoll_wait)(int, struct epoll_event *, int, int);
static int poll_ms = -1;

int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout) {
    if (!real_epoll_wait) {
        real_epoll_wait = (int (*)(int, struct epoll_event *, int, int)) dlsym(RTLD_NEXT, "epoll_wait");
    }
    if (poll_ms < 0) {
        const char *v = getenv("CALLSUP_SIPP_POLL_MS");
        int ms = v ? atoi(v) : 20;
        poll_ms = ms > 0 ? ms : 1;
    }
    if (timeout == 1) {
        timeout = poll_ms;
    }
    return real_epoll_wait(epfd, events, maxevents, timeout);
}
