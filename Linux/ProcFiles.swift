// What /proc shows (proc(5)): the system files (uptime, meminfo, cpuinfo, mounts, stat, loadavg,
// version, filesystems), /proc/self, and one directory per process with stat, status, cmdline,
// comm, maps, exe, cwd and fd/. Generated at open time from the kernel's live objects.
import FileSystem
import LinuxABI
import Memory
import Objects
import Synchronization

enum ProcFiles {
    static func register(_ proc: ProcFS) {
        proc.addFile("uptime") {
            // Seconds up, then idle seconds summed over the CPUs (the idle ticks of /proc/stat).
            let ns = Clock.nanoseconds()
            let idle = CPUs.all.reduce(UInt64(0)) { $0 + $1.idleTicks.load(ordering: .relaxed) }
            return "\(ns / 1_000_000_000).\(pad2((ns / 10_000_000) % 100)) \(idle / 100).\(pad2(idle % 100))\n"
        }
        proc.addFile("version") { "Linux version 6.1.0-k42 (K42 in Swift, Embedded Swift 6.3) #1 SMP\n" }
        proc.addFile("loadavg") {
            // 1, 5, 15-minute averages, running/total threads, the last pid (proc(5)).
            let running = LoadAverage.activeThreads()
            let a = "\(LoadAverage.text(0)) \(LoadAverage.text(1)) \(LoadAverage.text(2))"
            return "\(a) \(running)/\(threadCount()) \(ProcessTable.nextPID - 1)\n"
        }
        proc.addFile("meminfo") {
            let f = MemoryBringup.frames!
            let total = UInt64(f.frameCount) * 4, free = UInt64(f.freeFrames) * 4
            // tmpfs/ramfs file pages are Linux's Cached and Shmem (and not available: no swap).
            let cached = UInt64(tmpfsPages()) * 4
            func line(_ name: String, _ kB: UInt64) -> String {
                let number = "\(kB)"
                let pad = max(1, 16 - name.count - 1 - number.count + 8)
                return name + ":" + String(repeating: " ", count: pad) + number + " kB\n"
            }
            return line("MemTotal", total) + line("MemFree", free) + line("MemAvailable", free) + line("Buffers", 0)
                + line("Cached", cached) + line("SwapCached", 0) + line("SwapTotal", 0) + line("SwapFree", 0) + line("Shmem", cached)
        }
        proc.addFile("cpuinfo") {
            var s = ""
            let f = CPUFeatures.boot
            for cpu in CPUs.all {
                s += "processor\t: \(cpu.index)\nvendor_id\t: \(f.vendor)\ncpu family\t: \(f.family)\nmodel\t\t: \(f.model)\nmodel name\t: \(f.brand)\nstepping\t: \(f.stepping)\ncpu MHz\t\t: \(Clock.tscHz / 1_000_000).000\napicid\t\t: \(cpu.apicID)\nflags\t\t: fpu sse sse2 \(f.summary)\n\n"
            }
            return s
        }
        proc.addFile("mounts") { String(decoding: KernelFiles.vfs.mountsText(), as: UTF8.self) }
        proc.addFile("filesystems") { "nodev\trootfs\nnodev\tramfs\nnodev\ttmpfs\nnodev\tdevtmpfs\nnodev\tproc\n" }
        proc.addFile("stat") {
            // proc(5): "cpu" (the sum) and one "cpuN" line of user nice system idle iowait irq
            // softirq steal guest guest_nice in USER_HZ ticks (our tick is 100 Hz too), read
            // once per CPU so the sum line adds up; then context switches, boot time, forks,
            // runnable threads. Nothing here waits on disk I/O, so iowait and procs_blocked are 0.
            var lines = ""
            var total: (UInt64, UInt64, UInt64) = (0, 0, 0)
            for cpu in CPUs.all {
                let u = cpu.userTicks.load(ordering: .relaxed), sy = cpu.systemTicks.load(ordering: .relaxed)
                let idle = cpu.idleTicks.load(ordering: .relaxed)
                total = (total.0 + u, total.1 + sy, total.2 + idle)
                lines += "cpu\(cpu.index) \(u) 0 \(sy) \(idle) 0 0 0 0 0 0\n"
            }
            var s = "cpu  \(total.0) 0 \(total.1) \(total.2) 0 0 0 0 0 0\n" + lines
            let boot = WallClock.bootEpochSeconds
            s += "ctxt \(Scheduler.cpus.reduce(UInt64(0)) { $0 + $1.switches })\nbtime \(boot)\nprocesses \(ProcessTable.nextPID - 1)\n"
            s += "procs_running \(max(LoadAverage.activeThreads(), 1))\nprocs_blocked 0\n"
            return s
        }
        ProcK42.register(proc)
        ProcObjects.register(proc)
        proc.addSymlink("self") { String(currentProcess.pid) }
        proc.addSymlink("thread-self") { "\(currentProcess.pid)/task/\(currentProcess.pid)" }
        proc.rootDirectory.setProvider(list: {
            ProcessTable.lock.withLockIRQSave { ProcessTable.processes.keys.sorted() }.map { ProcListing(String($0), .directory) }
        }, lookup: { name in
            guard let pid = Int(String(decoding: name, as: UTF8.self)), let p = ProcessTable.find(pid) else { return nil }
            return .directory(processDirectory(p))
        })
    }

    static func pad2(_ v: UInt64) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// Pages of tmpfs/ramfs file data on every mount (meminfo's Cached and Shmem, sysinfo's
    /// sharedram).
    static func tmpfsPages() -> Int {
        KernelFiles.vfs.mountList.reduce(0) { $0 + (($1.superBlock as? RamFS)?.usedPages ?? 0) }
    }

    /// Live threads of every process (loadavg's total, Linux's nr_threads).
    static func threadCount() -> Int {
        ProcessTable.lock.withLockIRQSave {
            ProcessTable.processes.values.reduce(0) { $0 + ($1.isZombie ? 0 : max($1.threads.count, 1)) }
        }
    }

    static func processDirectory(_ p: Process) -> ProcDirectory {
        let d = ProcDirectory()
        d.add("cmdline", .file(ProcFileSpec(content: { () throws(Errno) -> [UInt8] in
            var out: [UInt8] = []
            for arg in p.arguments { out += arg; out.append(0) }
            return out
        })))
        d.add("comm", .text { String(decoding: p.command, as: UTF8.self) + "\n" })
        d.add("stat", .text { stat(p) })
        d.add("status", .text { status(p) })
        d.add("maps", .text { maps(p) })
        d.add("exe", .symlink(target: { () throws(Errno) -> [UInt8] in p.executablePath }, jump: nil))
        d.add("cwd", .symlink(target: { () throws(Errno) -> [UInt8] in
            guard let path = KernelFiles.vfs.path(of: p.cwd) else { throw .ENOENT }
            return path
        }, jump: { () throws(Errno) -> Inode in p.cwd }))
        d.add("root", .link { "/" })
        d.add("fd", .directory(ProcDirectory(list: {
            p.files.openDescriptors.map { ProcListing(String($0.0), .symlink) }
        }, lookup: { name in
            guard let n = Int32(String(decoding: name, as: UTF8.self)), let f = try? p.files.get(n) else { return nil }
            return .symlink(target: { () throws(Errno) -> [UInt8] in f.path.isEmpty ? Array("anon_inode:[\(f.inode.inodeNumber)]".utf8) : f.path },
                            jump: { () throws(Errno) -> Inode in f.inode })
        })))
        return d
    }

    /// /proc/PID/stat (proc(5) field order; times in clock ticks).
    static func stat(_ p: Process) -> String {
        let state = p.isZombie ? "Z" : (p.stopped ? "T" : (p.threads.first?.state == .running ? "R" : "S"))
        let comm = String(decoding: p.command, as: UTF8.self)
        let ppid = p.parent?.pid ?? 0
        let rss = p.addressSpace.regions.reduce(0) { $0 + $1.fcm.residentPages }
        let vsize = p.addressSpace.regions.reduce(UInt64(0)) { $0 + ($1.end - $1.start) }
        let (user, system) = CPUTime.process(p).split
        let (childUser, childSystem) = ProcessTable.lock.withLockIRQSave { p.childrenCPU }.split
        let tick: UInt64 = 10_000_000
        let times = "\(user / tick) \(system / tick) \(childUser / tick) \(childSystem / tick)"
        return "\(p.pid) (\(comm)) \(state) \(ppid) \(p.processGroup) \(p.session) 0 -1 4194560 0 0 0 0 \(times) 20 0 \(max(p.threads.count, 1)) 0 \(p.startTicks) \(vsize) \(rss) 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 \(p.threads.first?.cpu ?? 0) 0 0 0 0 0\n"
    }

    static func status(_ p: Process) -> String {
        let state = p.isZombie ? "Z (zombie)" : (p.stopped ? "T (stopped)" : "S (sleeping)")
        let rss = p.addressSpace.regions.reduce(0) { $0 + $1.fcm.residentPages } * 4
        return "Name:\t\(String(decoding: p.command, as: UTF8.self))\nUmask:\t0\(String(p.umask, radix: 8))\nState:\t\(state)\nTgid:\t\(p.pid)\nPid:\t\(p.pid)\nPPid:\t\(p.parent?.pid ?? 0)\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nVmRSS:\t\(rss) kB\nThreads:\t\(max(p.threads.count, 1))\n"
    }

    static func maps(_ p: Process) -> String {
        var s = ""
        for r in p.addressSpace.regions {
            let perms = (r.protection.contains(.read) ? "r" : "-") + (r.protection.contains(.write) ? "w" : "-")
                + (r.protection.contains(.execute) ? "x" : "-") + (r.shared ? "s" : "p")
            s += "\(String(r.start, radix: 16))-\(String(r.end, radix: 16)) \(perms) 00000000 00:00 0"
            s += r.name.isEmpty ? "\n" : "          \(r.name)\n"
        }
        return s
    }
}
