// /proc/k42: the kernel's own controls, reachable from the shell inside the OS.
//   /proc/k42/trace         read: the trace state (mask, classes, CPUs, logged, lost, streamed);
//                           write: "on" | "off" | "mask 0xHEX" | "enable irq,lock" | "disable alloc"
//   /proc/k42/trace_marker  write: a user event (class user, "message" with the text written),
//                           the way programs log into the kernel's trace (like ftrace's
//                           trace_marker); "mark N", "begin N", "end N" log those events instead.
import FileSystem
import LinuxABI
import Synchronization
import Trace

enum ProcK42 {
    static func register(_ proc: ProcFS) {
        proc.register("k42/trace", .file(ProcFileSpec(mode: 0o644, content: { () throws(Errno) -> [UInt8] in
            Array(status().utf8)
        }, write: { (bytes: [UInt8]) throws(Errno) -> Void in
            try control(String(decoding: bytes, as: UTF8.self))
        })))
        proc.register("k42/trace_marker", .file(ProcFileSpec(mode: 0o222, content: { () throws(Errno) -> [UInt8] in
            []
        }, write: { (bytes: [UInt8]) throws(Errno) -> Void in
            marker(bytes)
        })))
    }

    static func status() -> String {
        let mask = traceMask.load(ordering: .relaxed)
        var s = "mask 0x\(String(mask, radix: 16))\nclasses \(KernelTracing.classNames(mask))\n"
        s += "available"
        for c in TraceClass.allCases { s += " " + KernelTracing.name(c) }
        s += "\ncpus \(KernelTracing.tracer?.cpuCount ?? 0)\nstreamed_buffers \(KernelTracing.streamedBuffers)\n"
        return s
    }

    /// One command per write (trailing newline ignored); unknown commands and classes are EINVAL.
    static func control(_ text: String) throws(Errno) {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map { String($0) }
        guard let command = words.first else { throw .EINVAL }
        let current = traceMask.load(ordering: .relaxed)
        switch command {
        case "on": traceSetMask(KernelTracing.allClasses)
        case "off": traceSetMask(0)
        case "mask":
            guard words.count == 2 else { throw .EINVAL }
            var digits = Substring(words[1])
            if digits.hasPrefix("0x") { digits = digits.dropFirst(2) }
            guard let m = UInt64(digits, radix: 16) else { throw .EINVAL }
            traceSetMask(m & KernelTracing.allClasses)
        case "enable", "disable":
            guard words.count == 2 else { throw .EINVAL }
            var bits: UInt64 = 0
            for name in words[1].split(separator: ",") {
                guard let c = TraceClass.allCases.first(where: { KernelTracing.name($0) == name }) else { throw .EINVAL }
                bits |= c.maskBit
            }
            traceSetMask(command == "enable" ? current | bits : current & ~bits)
        default: throw .EINVAL
        }
    }

    static func marker(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let words = text.split(separator: " ")
        if words.count == 2, let n = UInt64(words[1].filter { $0 != "\n" }) {
            switch words[0] {
            case "mark": trace(UserEvent.mark, n); return
            case "begin": trace(UserEvent.begin, n); return
            case "end": trace(UserEvent.end, n); return
            default: break
            }
        }
        var body = bytes
        if body.last == 0x0A { body.removeLast() }
        body.withUnsafeBytes { raw in
            let none: [UInt64] = []
            none.withUnsafeBufferPointer { trace(UserEvent.message, words: $0, text: raw) }
        }
    }
}
