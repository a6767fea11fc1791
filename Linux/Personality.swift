// Bringing up the Linux personality: the system-call table, the initrd, and the first user
// process. Like Linux, init is `init=` from the command line, else /init, /sbin/init,
// /bin/init, /bin/sh, tried in that order; argv[0] is the path, envp is HOME=/ TERM=linux.
import Firmware
import FileSystem
import LinuxABI
import Memory

enum LinuxPersonality {
    /// Parameters the kernel itself takes (not passed on to init).
    static let kernelParameters: [String] = ["console", "init", "quiet", "ktest", "trace", "root", "rootfstype",
                                             "loglevel", "panic", "earlyprintk", "rw", "ro", "nokaslr", "debug",
                                             "hotswap-demo"]

    static func initialize(_ boot: BootInfo) {
        if let initrd = boot.modules.first {
            Initramfs.archive = UnsafeRawBufferPointer(start: KernelPageTables.virtualBytes(initrd.base), count: Int(initrd.size))
        }
        KernelFiles.initialize(boot)
    }

    /// Starts pid 1; false if there is no initrd to run it from.
    static func startInit(_ commandLine: KernelCommandLine) -> Bool {
        guard Initramfs.archive != nil || KernelFiles.vfs.root.superBlock is KFSSuperBlock else {   // root=/dev/vda
            klog("init: no initramfs given (-initrd); staying in the kernel")
            return false
        }
        var candidates: [[UInt8]] = []
        if let chosen = commandLine.value("init") { candidates.append(Array(chosen.utf8)) }
        candidates += ["/init", "/sbin/init", "/bin/init", "/bin/sh"].map { Array($0.utf8) }
        let pid: Int
        do { pid = try ProcessTable.allocatePID() } catch { kernelPanic("no pid for init") }
        let (tables, space) = Process.freshAddressSpace()
        let process = Process(pid: pid, parent: nil, pageTables: tables, addressSpace: space)
        process.files = KernelFiles.consoleFiles()
        ProcessTable.insert(process)
        // Like Linux (init/main.c): command-line words the kernel does not know go to init,
        // NAME=value ones into its environment, the others (and everything after "--") as
        // arguments.
        var environment = [Array("HOME=/".utf8), Array("TERM=linux".utf8)]
        var extra: [[UInt8]] = []
        for (name, value) in commandLine.parameters where !kernelParameters.contains(name) && !name.contains(".") {
            if let value { environment.append(Array("\(name)=\(value)".utf8)) } else { extra.append(Array(name.utf8)) }
        }
        extra += commandLine.initArguments.map { Array($0.utf8) }
        var threadRef: Thread? = nil
        guard let thread = Thread(cpu: 0, entry: {
            let me = threadRef!
            for path in candidates {
                do throws(Errno) {
                    try Exec.execute(process: process, thread: me, path: path, arguments: [path] + extra,
                                     environment: environment)
                    klog("Run \(String(decoding: path, as: UTF8.self)) as init process")
                    k42_user_return(me.userFrame)
                } catch {
                    klog("Failed to execute \(String(decoding: path, as: UTF8.self)) (error \(-Int(error.rawValue)))")
                }
            }
            klogImportant("Kernel panic - not syncing: No working init found.")
            MachineExit.exit(success: false)
        }) else { kernelPanic("cannot create the init thread") }
        threadRef = thread
        thread.tid = pid                 // init's thread id is its pid (gettid, sched_getaffinity(1))
        thread.process = process
        process.threads.append(thread)
        Scheduler.start(thread)
        return true
    }
}
