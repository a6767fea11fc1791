// The event catalogue shared by the kernel (which logs these) and k42-trace (which names them):
// the 64 major classes (one bit each in the enable mask) and, per class, an enum of events with
// their payload field names. This file is the single source; docs/tracing.md lists it as a table.
// Field syntax: space-separated names; `name:x` prints in hex, `name:s` is a NUL-padded string
// filling the rest of the event. Keep rawValues stable: they are the wire format.

/// A major class: one bit of the 64-bit enable mask (header bits 19..14).
public enum TraceClass: UInt8, CaseIterable {
    case control = 0, syscall = 1, pagefault = 2, sched = 3, irq = 4, objects = 5, alloc = 6
    case lock = 7, process = 8, ppc = 9, kfs = 10, hotswap = 11, user = 12, test = 13, ipc = 14
    /// Every lock acquisition and release (hold times): a class of its own, because it is by far
    /// the most frequent event, so `lock` (contention only) stays cheap to leave on.
    case lockHold = 15

    /// This class's bit in the enable mask.
    @inlinable @inline(__always) public var maskBit: UInt64 { 1 &<< UInt64(rawValue) }

    public var name: StaticString {
        switch self {
        case .control: "control"
        case .syscall: "syscall"
        case .pagefault: "pagefault"
        case .sched: "sched"
        case .irq: "irq"
        case .objects: "objects"
        case .alloc: "alloc"
        case .lock: "lock"
        case .process: "process"
        case .ppc: "ppc"
        case .kfs: "kfs"
        case .hotswap: "hotswap"
        case .user: "user"
        case .test: "test"
        case .ipc: "ipc"
        case .lockHold: "lockhold"
        }
    }
}

/// Name and payload field names of one event, for decoders.
public struct TraceEventSpec {
    public let name: StaticString
    public let fields: StaticString
    public init(_ name: StaticString, _ fields: StaticString) {
        self.name = name
        self.fields = fields
    }
}

/// An event kind: an enum whose raw value is the minor id. Call sites pass a case to `trace(...)`;
/// everything about it folds to constants.
public protocol TraceEventKind {
    static var traceClass: TraceClass { get }
    var rawValue: UInt16 { get }
    var spec: TraceEventSpec { get }
}

public enum ControlEvent: UInt16, TraceEventKind {
    case filler = 0, bufferStart = 1, timestamp = 2, maskChanged = 3
    public static var traceClass: TraceClass { .control }
    public var spec: TraceEventSpec {
        switch self {
        case .filler: TraceEventSpec("filler", "")
        case .bufferStart: TraceEventSpec("buffer_start", "timestamp sequence lost_events cpu")
        case .timestamp: TraceEventSpec("timestamp", "timestamp")
        case .maskChanged: TraceEventSpec("mask_changed", "old_mask:x new_mask:x")
        }
    }
}

public enum SyscallEvent: UInt16, TraceEventKind {
    case entry = 0, exit = 1, unknown = 2
    public static var traceClass: TraceClass { .syscall }
    public var spec: TraceEventSpec {
        switch self {
        case .entry: TraceEventSpec("entry", "number arg0:x arg1:x arg2:x")
        case .exit: TraceEventSpec("exit", "number result")
        case .unknown: TraceEventSpec("unknown", "number")
        }
    }
}

public enum PageFaultEvent: UInt16, TraceEventKind {
    case fault = 0, resolved = 1
    public static var traceClass: TraceClass { .pagefault }
    public var spec: TraceEventSpec {
        switch self {
        case .fault: TraceEventSpec("fault", "address:x pc:x error_code:x")
        case .resolved: TraceEventSpec("resolved", "address:x result")
        }
    }
}

public enum SchedEvent: UInt16, TraceEventKind {
    case contextSwitch = 0, wakeup = 1, idle = 2, migrate = 3
    public static var traceClass: TraceClass { .sched }
    public var spec: TraceEventSpec {
        switch self {
        case .contextSwitch: TraceEventSpec("switch", "prev_pid prev_tid next_pid next_tid prev_state")
        case .wakeup: TraceEventSpec("wakeup", "pid tid target_cpu")
        case .idle: TraceEventSpec("idle", "")
        case .migrate: TraceEventSpec("migrate", "tid from_cpu to_cpu")
        }
    }
}

public enum IRQEvent: UInt16, TraceEventKind {
    case entry = 0, exit = 1, ipiSend = 2, timerTick = 3
    public static var traceClass: TraceClass { .irq }
    public var spec: TraceEventSpec {
        switch self {
        case .entry: TraceEventSpec("entry", "vector")
        case .exit: TraceEventSpec("exit", "vector")
        case .ipiSend: TraceEventSpec("ipi_send", "vector target_cpu")
        case .timerTick: TraceEventSpec("timer_tick", "ticks")
        }
    }
}

public enum ObjectEvent: UInt16, TraceEventKind {
    case create = 0, miss = 1, destroy = 2, quiescent = 3
    public static var traceClass: TraceClass { .objects }
    public var spec: TraceEventSpec {
        switch self {
        case .create: TraceEventSpec("create", "object_id kind")
        case .miss: TraceEventSpec("miss", "object_id")
        case .destroy: TraceEventSpec("destroy", "object_id")
        case .quiescent: TraceEventSpec("quiescent", "generation")
        }
    }
}

public enum AllocEvent: UInt16, TraceEventKind {
    case allocate = 0, free = 1, frameAllocate = 2, frameFree = 3
    /// One of every 64 small kernel-heap allocations on a CPU (size asked, block size given).
    case heapSample = 4
    /// A CPU's frame cache took `frames` from the global pool / re-filed `frames` freed remotely.
    case frameRefill = 5, frameRemoteDrain = 6
    public static var traceClass: TraceClass { .alloc }
    public var spec: TraceEventSpec {
        switch self {
        case .allocate: TraceEventSpec("allocate", "size address:x")
        case .free: TraceEventSpec("free", "address:x size")
        case .frameAllocate: TraceEventSpec("frame_allocate", "physical:x count")
        case .frameFree: TraceEventSpec("frame_free", "physical:x count")
        case .heapSample: TraceEventSpec("heap_sample", "size block_bytes address:x")
        case .frameRefill: TraceEventSpec("frame_refill", "frames")
        case .frameRemoteDrain: TraceEventSpec("frame_remote_drain", "frames")
        }
    }
}

/// Lock contention: an acquisition that had to wait (`wait_ticks`), with its call site.
/// k42-trace locks aggregates these with the lockhold class's events.
public enum LockEvent: UInt16, TraceEventKind {
    case contended = 0
    public static var traceClass: TraceClass { .lock }
    public var spec: TraceEventSpec {
        switch self {
        case .contended: TraceEventSpec("contended", "lock:x wait_ticks caller:x")
        }
    }
}

/// Every acquisition (`wait_ticks` 0 if the lock was free) and every release with the time the
/// lock was held.
public enum LockHoldEvent: UInt16, TraceEventKind {
    case acquire = 0, release = 1
    public static var traceClass: TraceClass { .lockHold }
    public var spec: TraceEventSpec {
        switch self {
        case .acquire: TraceEventSpec("acquire", "lock:x caller:x wait_ticks")
        case .release: TraceEventSpec("release", "lock:x hold_ticks")
        }
    }
}

public enum ProcessEvent: UInt16, TraceEventKind {
    case fork = 0, exec = 1, exit = 2, threadCreate = 3
    /// A signal generated: tid 0 for a process-wide one; result 0 queued, 1 merged into a
    /// pending instance (or a timer overrun), 2 discarded (ignored), 3 over RLIMIT_SIGPENDING,
    /// 4 a dequeued stop signal cancelled by a SIGCONT sent before the stop began.
    case signal = 4
    /// A timer expired: kind 0 ITIMER_REAL, 1 ITIMER_VIRTUAL, 2 ITIMER_PROF, 3 POSIX timer `id`.
    case timerExpire = 5
    public static var traceClass: TraceClass { .process }
    public var spec: TraceEventSpec {
        switch self {
        case .fork: TraceEventSpec("fork", "parent_pid child_pid")
        case .exec: TraceEventSpec("exec", "pid name:s")
        case .exit: TraceEventSpec("exit", "pid status")
        case .threadCreate: TraceEventSpec("thread_create", "pid tid")
        case .signal: TraceEventSpec("signal", "pid tid signal code result")
        case .timerExpire: TraceEventSpec("timer_expire", "pid kind id")
        }
    }
}

public enum PPCEvent: UInt16, TraceEventKind {
    case call = 0, reply = 1
    public static var traceClass: TraceClass { .ppc }
    public var spec: TraceEventSpec {
        switch self {
        case .call: TraceEventSpec("call", "server_pid method")
        case .reply: TraceEventSpec("reply", "server_pid result")
        }
    }
}

/// The block device under KFS (virtio-blk): a read request (first block, blocks in it), a
/// posted block write, and a cache flush (the writes posted since the last one), issued when a
/// snapshot commits.
public enum KFSEvent: UInt16, TraceEventKind {
    case blockRead = 0, blockWrite = 1, flush = 2
    public static var traceClass: TraceClass { .kfs }
    public var spec: TraceEventSpec {
        switch self {
        case .blockRead: TraceEventSpec("block_read", "block count")
        case .blockWrite: TraceEventSpec("block_write", "block")
        case .flush: TraceEventSpec("flush", "writes")
        }
    }
}

public enum HotSwapEvent: UInt16, TraceEventKind {
    /// The phases of one swap (Objects/HotSwap/Mediator.swift): a mediator took the root's
    /// place and forwards calls; new calls are held; the state moves; the new root is in place
    /// (or the swap failed and the old one stays).
    case begin = 0, block = 1, transfer = 2, end = 3, failed = 4
    /// An interposer wrapped or unwrapped an object; a type's instances were set to upgrade.
    case interpose = 5, interposeRemove = 6, upgrade = 7
    public static var traceClass: TraceClass { .hotswap }
    public var spec: TraceEventSpec {
        switch self {
        case .begin: TraceEventSpec("begin", "object_id format lazy")
        case .block: TraceEventSpec("block", "object_id forward_ticks")
        case .transfer: TraceEventSpec("transfer", "object_id drain_ticks")
        case .end: TraceEventSpec("end", "object_id ticks")
        case .failed: TraceEventSpec("failed", "object_id reason")
        case .interpose: TraceEventSpec("interpose", "object_id")
        case .interposeRemove: TraceEventSpec("interpose_remove", "object_id calls")
        case .upgrade: TraceEventSpec("upgrade", "instances lazy")
        }
    }
}

/// Events user programs log through the kernel's interface (docs/tracing.md, "User logging").
public enum UserEvent: UInt16, TraceEventKind {
    case mark = 0, begin = 1, end = 2, message = 3
    public static var traceClass: TraceClass { .user }
    public var spec: TraceEventSpec {
        switch self {
        case .mark: TraceEventSpec("mark", "value")
        case .begin: TraceEventSpec("begin", "id")
        case .end: TraceEventSpec("end", "id")
        case .message: TraceEventSpec("message", "text:s")
        }
    }
}

public enum TestEvent: UInt16, TraceEventKind {
    case zero = 0, one = 1, two = 2, three = 3, text = 4
    public static var traceClass: TraceClass { .test }
    public var spec: TraceEventSpec {
        switch self {
        case .zero: TraceEventSpec("zero", "")
        case .one: TraceEventSpec("one", "a")
        case .two: TraceEventSpec("two", "a b")
        case .three: TraceEventSpec("three", "a b c")
        case .text: TraceEventSpec("text", "text:s")
        }
    }
}

/// Unix-domain sockets and eventfds (Linux/sys_socket.swift, sys_eventfd.swift). Sockets are
/// named by their sockfs inode number; `kind` is SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_SEQPACKET 5.
public enum IPCEvent: UInt16, TraceEventKind {
    case socket = 0, bind = 1, listen = 2, connect = 3, accept = 4, send = 5, receive = 6
    case shutdown = 7, eventfdWrite = 8, eventfdRead = 9
    public static var traceClass: TraceClass { .ipc }
    public var spec: TraceEventSpec {
        switch self {
        case .socket: TraceEventSpec("socket", "socket kind fd")
        case .bind: TraceEventSpec("bind", "socket abstract")
        case .listen: TraceEventSpec("listen", "socket backlog")
        case .connect: TraceEventSpec("connect", "socket target result")
        case .accept: TraceEventSpec("accept", "listener socket fd")
        case .send: TraceEventSpec("send", "socket bytes fds")
        case .receive: TraceEventSpec("receive", "socket bytes fds")
        case .shutdown: TraceEventSpec("shutdown", "socket how")
        case .eventfdWrite: TraceEventSpec("eventfd_write", "value")
        case .eventfdRead: TraceEventSpec("eventfd_read", "value")
        }
    }
}

/// Lookup by wire ids, for decoders. Returns nil for ids this build does not know.
public enum TraceCatalog {
    public static func spec(major: UInt8, minor: UInt16) -> TraceEventSpec? {
        guard let cls = TraceClass(rawValue: major) else { return nil }
        switch cls {
        case .control: return ControlEvent(rawValue: minor)?.spec
        case .syscall: return SyscallEvent(rawValue: minor)?.spec
        case .pagefault: return PageFaultEvent(rawValue: minor)?.spec
        case .sched: return SchedEvent(rawValue: minor)?.spec
        case .irq: return IRQEvent(rawValue: minor)?.spec
        case .objects: return ObjectEvent(rawValue: minor)?.spec
        case .alloc: return AllocEvent(rawValue: minor)?.spec
        case .lock: return LockEvent(rawValue: minor)?.spec
        case .process: return ProcessEvent(rawValue: minor)?.spec
        case .ppc: return PPCEvent(rawValue: minor)?.spec
        case .kfs: return KFSEvent(rawValue: minor)?.spec
        case .hotswap: return HotSwapEvent(rawValue: minor)?.spec
        case .user: return UserEvent(rawValue: minor)?.spec
        case .test: return TestEvent(rawValue: minor)?.spec
        case .ipc: return IPCEvent(rawValue: minor)?.spec
        case .lockHold: return LockHoldEvent(rawValue: minor)?.spec
        }
    }

    /// Minor ids are dense from 0, so a class's events are 0..<count.
    public static func eventCount(major: UInt8) -> Int {
        var n = 0
        while n < 0x3FFF, spec(major: major, minor: UInt16(n)) != nil { n += 1 }
        return n
    }
}
