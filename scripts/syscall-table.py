#!/usr/bin/env python3
"""Prints the Markdown table of implemented system calls (for the README) from
Linux/Syscalls.swift, with the notes below on what each does not support yet."""
import re, sys
notes = {
    "mmap": "anonymous and file mappings (shared, private copy-on-write); no MAP_HUGETLB, MAP_LOCKED",
    "clone": "CLONE_THREAD threads (SETTLS, PARENT_SETTID, CHILD_SETTID/CLEARTID) or fork-like processes; CLONE_VM without CLONE_THREAD is a copy-on-write fork; no namespaces",
    "futex": "WAIT, WAKE, REQUEUE, CMP_REQUEUE, WAIT_BITSET, WAKE_BITSET; LOCK_PI, LOCK_PI2, TRYLOCK_PI, UNLOCK_PI (ownership protocol, OWNER_DIED from robust lists; no priority is inherited); shared futexes in MAP_SHARED memory keyed by FCM and offset; no WAKE_OP, no *_REQUEUE_PI",
    "sched_setaffinity": "moves the calling thread; for others the mask applies from their next migration",
    "sigaltstack": "SA_ONSTACK handlers run on it",
    "vfork": "implemented as fork (a copy-on-write copy), which POSIX allows",
    "wait4": "exit, signal, stop (WUNTRACED) and continue (WCONTINUED) statuses; rusage: CPU times and context switches (memory and I/O counts 0)",
    "waitid": "P_ALL, P_PID, P_PGID; WEXITED, WSTOPPED, WCONTINUED, WNOHANG, WNOWAIT",
    "rt_sigaction": "SA_SIGINFO, SA_RESTART, SA_NODEFER, SA_RESETHAND, SA_NOCLDWAIT, SA_NOCLDSTOP, SA_ONSTACK",
    "fcntl": "F_DUPFD(_CLOEXEC), F_GETFD/SETFD, F_GETFL/SETFL, F_GETPIPE_SZ/F_SETPIPE_SZ (at most 1 MiB even for root); record locks always granted",
    "ioctl": "FIONBIO, FIOCLEX/FIONCLEX; ttys: TCGETS/TCSETS*, TIOCGWINSZ/TIOCSWINSZ, TIOCGPGRP/TIOCSPGRP, TIOCSCTTY, FIONREAD (also pipes and sockets)",
    "mount": "proc, tmpfs/ramfs, devtmpfs; MS_REMOUNT accepted",
    "arch_prctl": "ARCH_SET_FS/ARCH_GET_FS; GS gives EINVAL",
    "prlimit64": "enforced: NOFILE (EMFILE; poll nfds), STACK (next exec), AS (mmap, brk), SIGPENDING (sigqueue, timer_create), CPU (SIGXCPU, SIGKILL); the rest stored only; NPROC not enforced (root is exempt)",
    "getrlimit": "as prlimit64", "setrlimit": "as prlimit64",
    "set_robust_list": "the list is walked when the thread exits: futexes it still holds get FUTEX_OWNER_DIED and a waiter (EOWNERDEAD in glibc)", "get_robust_list": "the caller or a thread of its process (ESRCH, EPERM otherwise)",
    "chroot": "per-process root, inherited by fork, honoured by path lookup (/proc/PID/root does not show it)",
    "getrusage": "RUSAGE_SELF, RUSAGE_CHILDREN, RUSAGE_THREAD: CPU times (tick-split user/system), ru_nvcsw/ru_nivcsw; memory and I/O counts 0",
    "times": "clock ticks of 10 ms",
    "nanosleep": "a handler gets EINTR and the time left; without one the sleep resumes (restart_syscall)",
    "clock_nanosleep": "REALTIME, MONOTONIC, BOOTTIME, TAI; not the CPU-time clocks (EINVAL)",
    "restart_syscall": "resumes relative nanosleep/clock_nanosleep; EINTR otherwise",
    "rt_sigqueueinfo": "si_code, si_pid, si_uid, si_value as given (codes >= 0 and SI_TKILL only to oneself); EAGAIN past RLIMIT_SIGPENDING",
    "rt_tgsigqueueinfo": "as rt_sigqueueinfo, for one thread",
    "setitimer": "ITIMER_REAL (monotonic clock); ITIMER_VIRTUAL, ITIMER_PROF in 10 ms ticks of CPU time",
    "getitimer": "as setitimer",
    "alarm": "10 ms resolution (the timer tick)",
    "timer_create": "REALTIME, MONOTONIC, BOOTTIME, TAI; SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID (SIGEV_THREAD as SIGEV_SIGNAL); no CPU-time or alarm clocks (EINVAL); 10 ms resolution",
    "clock_gettime": "REALTIME starts at 2026-01-01 (no RTC driver yet); PROCESS/THREAD_CPUTIME_ID from the scheduler; other processes' CPU clocks (negative ids) EINVAL",
    "kill": "pid > 0, 0, -1, < -1",
    "access": "everything runs as root: only existence and X_OK bits",
    "madvise": "advice accepted; MADV_DONTNEED does not zero pages yet",
    "sched_yield": "",
    "reboot": "POWER_OFF/HALT/RESTART end the machine (QEMU exit status 33)",
    "msync": "KFS files: changed mapped pages written back (MS_SYNC commits); tmpfs shares its pages",
    "select": "up to 1024 descriptors",
    "poll": "nfds up to RLIMIT_NOFILE", "ppoll": "signal mask honoured", "pselect6": "signal mask honoured",
    "statfs": "tmpfs and the initramfs root report size= or half of RAM (df lists them); plain ramfs reports 0 blocks as Linux's", "sync": "ramfs only: nothing to write", "fsync": "", "fdatasync": "",
    "prctl": "PR_SET_NAME, PR_GET_NAME, PR_GET/SET_DUMPABLE",
    "uname": "Linux 6.1.0-k42, x86_64",
    "getrandom": "RDRAND when present, else TSC-seeded",
    "socket": "AF_UNIX only (SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET; SOCK_RAW is datagram); other families EAFNOSUPPORT",
    "socketpair": "AF_UNIX only",
    "bind": "pathnames (an S_IFSOCK node), abstract names, autobind",
    "connect": "AF_UNSPEC dissolves a datagram association",
    "sendto": "no MSG_OOB (EOPNOTSUPP)",
    "sendmsg": "SCM_RIGHTS, SCM_CREDENTIALS; no MSG_OOB",
    "recvmsg": "SCM_RIGHTS (MSG_CMSG_CLOEXEC, MSG_CTRUNC), SCM_CREDENTIALS with SO_PASSCRED; MSG_PEEK, MSG_TRUNC, MSG_WAITALL",
    "getsockopt": "SOL_SOCKET: SO_TYPE, SO_ERROR, SO_PEERCRED, SO_SNDBUF/RCVBUF, SO_PASSCRED, SO_RCVTIMEO/SNDTIMEO, SO_ACCEPTCONN, SO_DOMAIN, SO_PROTOCOL",
    "setsockopt": "SOL_SOCKET: SO_SNDBUF/RCVBUF(FORCE), SO_PASSCRED, SO_RCVTIMEO/SNDTIMEO; SO_REUSEADDR, SO_KEEPALIVE, SO_LINGER... accepted, not honoured",
    "eventfd2": "EFD_SEMAPHORE, EFD_NONBLOCK, EFD_CLOEXEC",
    "epoll_create": "size must be > 0", "epoll_create1": "EPOLL_CLOEXEC",
    "epoll_ctl": "ADD, MOD, DEL; EPOLLIN/OUT/PRI/ERR/HUP/RDHUP, EPOLLET, EPOLLONESHOT; EPOLLEXCLUSIVE checked as Linux but wakes every waiter; EPERM for files that cannot be polled; ELOOP",
    "epoll_wait": "EINTR on a signal, never restarted", "epoll_pwait": "signal mask honoured", "epoll_pwait2": "timespec timeout, signal mask honoured",
    "sendmmsg": "AF_UNIX; stops at the first failing entry", "recvmmsg": "AF_UNIX; MSG_WAITFORONE; timeout checked after each message (as Linux)",
    "sysinfo": "uptime, load averages, memory, thread count",
}
src = open(sys.argv[1] if len(sys.argv) > 1 else "Linux/Syscalls.swift").read()
rows = re.findall(r'case (\d+): return try (\w+)\(a\)\s*// (\w+)', src)
rows = [(nr, name, handler) for nr, handler, name in rows]
print("| nr | name | notes |")
print("|---|---|---|")
for nr, name, handler in rows:
    print(f"| {nr} | {name} | {notes.get(name, '')} |")
print(f"\n{len(rows)} system calls; every other number returns ENOSYS (logged once per number, traced).")
