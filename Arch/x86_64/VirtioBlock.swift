// virtio-blk over PCI, legacy (transitional) interface: Virtio 1.0 sections 4.1.4.8 (legacy
// PCI registers in BAR0's I/O ports), 2.4 (split virtqueue, legacy layout) and 5.2 (block
// device). One virtqueue; requests are three descriptors (header, one 4 KiB data page,
// status byte) in fixed slots; a multi-block read (`readBlocks`, a file's page-cache fill and
// read-ahead) is one request of up to 64 blocks: its header descriptor chains to one data
// descriptor per destination page (spare descriptors past the slots', so the device writes
// straight into the page cache), or, for destinations that are not whole pages, to a 256 KiB
// physically contiguous run buffer that is copied out. Completion is by polling the used ring with interrupts
// suppressed (VRING_AVAIL_F_NO_INTERRUPT): the caller's CPU spins for its request, which is
// short under QEMU and needs no IRQ routing. Writes are posted: `writeBlock` returns once the
// request is queued, and `flush()` (or a read or rewrite of a block still in flight, or a full
// queue) waits for them, since virtio may complete queued requests in any order. This is
// exactly the contract of KFS's `BlockDevice` (writes may be reordered until flush), which
// this device implements for the kernel's KFS mounts (Linux/KFSMount.swift).
import KFS
import Memory
import Objects
import Trace

final class VirtioBlockDevice: BlockDevice {
    // Legacy register offsets in BAR0 (Virtio 1.0, 4.1.4.8).
    private enum Register {
        static let deviceFeatures: UInt16 = 0x00, guestFeatures: UInt16 = 0x04
        static let queueAddress: UInt16 = 0x08, queueSize: UInt16 = 0x0C, queueSelect: UInt16 = 0x0E
        static let queueNotify: UInt16 = 0x10, status: UInt16 = 0x12, isr: UInt16 = 0x13
        static let config: UInt16 = 0x14          // device config without MSI-X
    }
    private enum Status {
        static let acknowledge: UInt8 = 1, driver: UInt8 = 2, driverOK: UInt8 = 4, failed: UInt8 = 128
    }
    private enum Feature {
        static let readOnly: UInt32 = 1 << 5, flush: UInt32 = 1 << 9
    }
    private enum RequestType {
        static let read: UInt32 = 0, write: UInt32 = 1, flush: UInt32 = 4
    }
    private static let descriptorNext: UInt16 = 1, descriptorDeviceWrites: UInt16 = 2
    private static let sectorsPerBlock = UInt64(kfsBlockSize / 512)

    /// "vda", "vdb", ... in PCI order.
    let name: String
    let pci: PCIFunction
    private let ioBase: UInt16
    /// KFS blocks (4 KiB) on the device; a trailing partial block is not exposed.
    let blockCount: UInt64
    let readOnly: Bool
    let supportsFlush: Bool

    // The virtqueue (legacy layout: descriptors, available ring, then the used ring on the
    // next 4 KiB boundary), in physically contiguous frames reached through the direct map.
    private let queueSize: Int
    private let descriptors: UnsafeMutableRawPointer
    private let available: UnsafeMutableRawPointer
    private let used: UnsafeMutableRawPointer
    private var nextAvailable: UInt16 = 0
    private var lastUsed: UInt16 = 0

    /// Request slots: slot i owns descriptors 3i...3i+2, a 16-byte header and a status byte in
    /// the header page (32 bytes per slot), and one data page.
    private struct Slot {
        var busy = false
        var block: UInt64 = 0
        var isWrite = false
        let dataPhysical: UInt64
    }
    private var slots: [Slot] = []
    private let headerPhysical: UInt64
    /// Physically contiguous buffer for multi-block reads (`runBufferBlocks` blocks), or 0.
    private var runBufferPhysical: UInt64 = 0
    static let runBufferOrder = 6
    static let runBufferBlocks = 1 << runBufferOrder
    /// Data descriptors a scattered read may use (after the slots' descriptors, one kept for
    /// the status byte); 0 when the queue has too few.
    private var scatterBlocks = 0
    private var inFlightWrites = 0
    /// A posted write failed: reported by the next call that waits for the queue (flush).
    private var postedWriteFailed = false
    /// One request at a time is built and reaped; KFS is serialized above us, but /dev/vda
    /// (and a second mount) could reach the same device.
    private let lock = SpinLock()

    // Counters for /proc and the benchmark (under `lock`).
    private(set) var readCount: UInt64 = 0
    private(set) var writeCount: UInt64 = 0
    private(set) var flushCount: UInt64 = 0
    /// writeCount at the last flush (for the kfs:flush trace event).
    private var writesAtLastFlush: UInt64 = 0

    /// Devices found by `probe()`.
    nonisolated(unsafe) static var all: [VirtioBlockDevice] = []

    /// Finds every virtio-blk function (vendor 0x1AF4; 0x1001 transitional, 0x1042 modern
    /// with a legacy BAR0) and brings each up. Logs one line per device.
    static func probe() {
        guard all.isEmpty else { return }
        for function in PCI.find(vendor: 0x1AF4, devices: [0x1001, 0x1042]) {
            let name = "vd" + String(UnicodeScalar(UInt8(0x61 + min(all.count, 25))))
            if let device = VirtioBlockDevice(function, name: name) {
                all.append(device)
                klog("virtio-blk: \(name) at PCI \(function.location), I/O \(hex(UInt64(device.ioBase), digits: 4)), \(device.blockCount / 256) MiB, queue \(device.queueSize)\(device.supportsFlush ? ", flush" : "")\(device.readOnly ? ", read-only" : "")")
            }
        }
    }

    static func named(_ name: String) -> VirtioBlockDevice? {
        for device in all where device.name == name { return device }
        return nil
    }

    private init?(_ function: PCIFunction, name: String) {
        self.name = name
        pci = function
        let bar = function.bar(0)
        guard bar.isPort, bar.base != 0, bar.base < 0x10000 else {
            klog("virtio-blk: \(function.location) has no legacy I/O BAR; skipped")
            return nil
        }
        ioBase = UInt16(bar.base)
        function.enableDecodingAndBusMastering()
        // Initialization (Virtio 1.0, 3.1.2 legacy sequence): reset, ACKNOWLEDGE, DRIVER,
        // features, queue setup, DRIVER_OK.
        arch_outb(ioBase + Register.status, 0)
        arch_outb(ioBase + Register.status, Status.acknowledge)
        arch_outb(ioBase + Register.status, Status.acknowledge | Status.driver)
        let offered = arch_inl(ioBase + Register.deviceFeatures)
        let wanted = offered & (Feature.flush | Feature.readOnly)
        arch_outl(ioBase + Register.guestFeatures, wanted)
        supportsFlush = wanted & Feature.flush != 0
        readOnly = wanted & Feature.readOnly != 0
        let sectors = UInt64(arch_inl(ioBase + Register.config)) | UInt64(arch_inl(ioBase + Register.config + 4)) << 32
        blockCount = sectors / VirtioBlockDevice.sectorsPerBlock

        arch_outw(ioBase + Register.queueSelect, 0)
        queueSize = Int(arch_inw(ioBase + Register.queueSize))
        let ringBytes = VirtioBlockDevice.align(16 * queueSize + 6 + 2 * queueSize) + VirtioBlockDevice.align(6 + 8 * queueSize)
        var order = 0
        while (4096 << order) < ringBytes { order += 1 }
        let slotCount = min(32, queueSize / 3)
        guard queueSize > 0, slotCount > 0, let frames = MemoryBringup.frames,
              let ring = frames.allocate(order: order), let headers = frames.allocateFrame() else {
            klog("virtio-blk: \(function.location): no queue or no memory for it")
            arch_outb(ioBase + Register.status, Status.failed)
            return nil
        }
        let ringVirtual = KernelPageTables.virtualBytes(ring)
        ringVirtual.initializeMemory(as: UInt8.self, repeating: 0, count: 4096 << order)
        KernelPageTables.virtualBytes(headers).initializeMemory(as: UInt8.self, repeating: 0, count: 4096)
        descriptors = ringVirtual
        available = ringVirtual + 16 * queueSize
        used = ringVirtual + VirtioBlockDevice.align(16 * queueSize + 6 + 2 * queueSize)
        headerPhysical = headers
        for _ in 0..<slotCount {
            guard let page = frames.allocateFrame() else { break }
            slots.append(Slot(dataPhysical: page))
        }
        guard !slots.isEmpty else { return nil }
        runBufferPhysical = frames.allocate(order: VirtioBlockDevice.runBufferOrder) ?? 0
        scatterBlocks = min(VirtioBlockDevice.runBufferBlocks, max(0, queueSize - 3 * slots.count - 1))
        // We poll: ask the device not to interrupt (VRING_AVAIL_F_NO_INTERRUPT).
        available.storeBytes(of: UInt16(1), as: UInt16.self)
        arch_outl(ioBase + Register.queueAddress, UInt32(ring >> 12))
        arch_outb(ioBase + Register.status, Status.acknowledge | Status.driver | Status.driverOK)
    }

    private static func align(_ n: Int) -> Int { (n + 4095) & ~4095 }

    // MARK: BlockDevice

    func readBlock(_ index: UInt64, into buffer: inout [UInt8]) throws(KFSError) {
        guard index < blockCount else { throw .io }
        lock.lock(); defer { lock.unlock() }
        if blockInFlight(index) { try waitForAllLocked() }
        let slot = try freeSlotLocked()
        submitLocked(slot: slot, type: RequestType.read, block: index)
        trace(KFSEvent.blockRead, index, 1)
        let ok = waitForSlotLocked(slot)
        readCount &+= 1
        guard ok else { throw .io }
        if buffer.count != kfsBlockSize { buffer = [UInt8](repeating: 0, count: kfsBlockSize) }
        let source = UnsafeRawPointer(KernelPageTables.virtualBytes(slots[slot].dataPhysical))
        buffer.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: source, byteCount: kfsBlockSize) }
    }

    func writeBlock(_ index: UInt64, _ data: [UInt8]) throws(KFSError) {
        guard index < blockCount, data.count == kfsBlockSize, !readOnly else { throw .io }
        lock.lock(); defer { lock.unlock() }
        // Two writes of one block in flight could land in either order: wait for the first.
        if blockInFlight(index) { try waitForAllLocked() }
        let slot = try freeSlotLocked()
        let target = KernelPageTables.virtualBytes(slots[slot].dataPhysical)
        data.withUnsafeBytes { target.copyMemory(from: $0.baseAddress!, byteCount: kfsBlockSize) }
        submitLocked(slot: slot, type: RequestType.write, block: index)
        trace(KFSEvent.blockWrite, index)
        inFlightWrites += 1
        writeCount &+= 1
    }

    /// Reads a run of contiguous blocks, up to 64 per request: straight into the destinations
    /// when each is a whole kernel page (a scattered request), else through the run buffer.
    func readBlocks(_ first: UInt64, into destinations: [UnsafeMutableRawPointer]) throws(KFSError) {
        guard first < blockCount, UInt64(destinations.count) <= blockCount - first else { throw .io }
        var aligned = scatterBlocks >= 2
        for d in destinations where UInt(bitPattern: d) & UInt(kfsBlockSize - 1) != 0 { aligned = false; break }
        var done = 0
        while done < destinations.count {
            let count = aligned ? min(destinations.count - done, scatterBlocks)
                : min(destinations.count - done, runBufferPhysical == 0 ? 1 : VirtioBlockDevice.runBufferBlocks)
            let start = first + UInt64(done)
            lock.lock()
            var wait = false
            for b in start..<(start + UInt64(count)) where blockInFlight(b) { wait = true; break }
            if wait { do { try waitForAllLocked() } catch { lock.unlock(); throw error } }
            let slot: Int
            do { slot = try freeSlotLocked() } catch { lock.unlock(); throw error }
            let buffer = count == 1 ? slots[slot].dataPhysical : runBufferPhysical
            let scattered = aligned && count > 1
            if scattered {
                submitScatteredReadLocked(slot: slot, block: start, destinations[done..<(done + count)])
            } else {
                submitLocked(slot: slot, type: RequestType.read, block: start, data: buffer, blocks: count)
            }
            trace(KFSEvent.blockRead, start, UInt64(count))
            let ok = waitForSlotLocked(slot)
            readCount &+= 1
            if ok && !scattered {
                let source = UnsafeRawPointer(KernelPageTables.virtualBytes(buffer))
                for i in 0..<count {
                    destinations[done + i].copyMemory(from: source + i * kfsBlockSize, byteCount: kfsBlockSize)
                }
            }
            lock.unlock()
            guard ok else { throw .io }
            done += count
        }
    }

    /// Waits for every posted write, then (if the device has a write cache) VIRTIO_BLK_T_FLUSH.
    func flush() throws(KFSError) {
        lock.lock(); defer { lock.unlock() }
        try waitForAllLocked()
        guard supportsFlush else { return }
        let slot = try freeSlotLocked()
        submitLocked(slot: slot, type: RequestType.flush, block: 0)
        trace(KFSEvent.flush, writeCount &- writesAtLastFlush)
        writesAtLastFlush = writeCount
        let ok = waitForSlotLocked(slot)
        flushCount &+= 1
        guard ok else { throw .io }
    }

    // MARK: the queue (all under `lock`)

    private func blockInFlight(_ index: UInt64) -> Bool {
        guard inFlightWrites > 0 else { return false }
        for slot in slots where slot.busy && slot.isWrite && slot.block == index { return true }
        return false
    }

    /// A free slot, reaping completions (and, if all are busy, waiting) as needed.
    private func freeSlotLocked() throws(KFSError) -> Int {
        while true {
            reapLocked()
            for i in 0..<slots.count where !slots[i].busy { return i }
            k42_cpu_relax()
        }
    }

    /// Fills slot `slot`'s header and descriptors and makes the chain available.
    private func submitLocked(slot: Int, type: UInt32, block: UInt64) {
        submitLocked(slot: slot, type: type, block: block, data: slots[slot].dataPhysical, blocks: 1)
    }

    /// The same with an explicit data buffer of `blocks` blocks (physically contiguous).
    private func submitLocked(slot: Int, type: UInt32, block: UInt64, data: UInt64, blocks: Int) {
        let header = KernelPageTables.virtualBytes(headerPhysical + UInt64(32 * slot))
        header.storeBytes(of: type, as: UInt32.self)
        header.storeBytes(of: UInt32(0), toByteOffset: 4, as: UInt32.self)
        header.storeBytes(of: block * VirtioBlockDevice.sectorsPerBlock, toByteOffset: 8, as: UInt64.self)
        header.storeBytes(of: UInt8(0xFF), toByteOffset: 16, as: UInt8.self)   // status, until the device writes it
        let first = 3 * slot
        let statusPhysical = headerPhysical + UInt64(32 * slot + 16)
        setDescriptor(first, address: headerPhysical + UInt64(32 * slot), length: 16,
                      flags: VirtioBlockDevice.descriptorNext, next: first + 1)
        if type == RequestType.flush {
            setDescriptor(first + 1, address: statusPhysical, length: 1, flags: VirtioBlockDevice.descriptorDeviceWrites, next: 0)
        } else {
            let dataFlags = VirtioBlockDevice.descriptorNext | (type == RequestType.read ? VirtioBlockDevice.descriptorDeviceWrites : 0)
            setDescriptor(first + 1, address: data, length: UInt32(blocks * kfsBlockSize), flags: dataFlags, next: first + 2)
            setDescriptor(first + 2, address: statusPhysical, length: 1, flags: VirtioBlockDevice.descriptorDeviceWrites, next: 0)
        }
        slots[slot].busy = true
        slots[slot].block = block
        slots[slot].isWrite = type == RequestType.write
        publishLocked(head: first)
    }

    /// Makes the chain starting at descriptor `head` available and notifies the device.
    private func publishLocked(head first: Int) {
        // available.ring[idx % size] = head; then publish idx (Virtio 1.0, 2.4.6: the ring
        // entry must be visible before the index; x86 keeps stores in order, the barrier keeps
        // the compiler from reordering them).
        available.storeBytes(of: UInt16(first), toByteOffset: 4 + 2 * (Int(nextAvailable) % queueSize), as: UInt16.self)
        k42_compiler_barrier()
        nextAvailable &+= 1
        available.storeBytes(of: nextAvailable, toByteOffset: 2, as: UInt16.self)
        k42_compiler_barrier()
        arch_outw(ioBase + Register.queueNotify, 0)   // an I/O instruction drains the store buffer first
    }

    /// A read of `pages.count` blocks at `block` into those kernel pages: the slot's header
    /// descriptor, then one data descriptor per page and the status byte in the spare
    /// descriptors after the slots' (one scattered request at a time: the caller holds the
    /// lock until it completes).
    private func submitScatteredReadLocked(slot: Int, block: UInt64, _ pages: ArraySlice<UnsafeMutableRawPointer>) {
        let header = KernelPageTables.virtualBytes(headerPhysical + UInt64(32 * slot))
        header.storeBytes(of: RequestType.read, as: UInt32.self)
        header.storeBytes(of: UInt32(0), toByteOffset: 4, as: UInt32.self)
        header.storeBytes(of: block * VirtioBlockDevice.sectorsPerBlock, toByteOffset: 8, as: UInt64.self)
        header.storeBytes(of: UInt8(0xFF), toByteOffset: 16, as: UInt8.self)
        let spare = 3 * slots.count
        setDescriptor(3 * slot, address: headerPhysical + UInt64(32 * slot), length: 16,
                      flags: VirtioBlockDevice.descriptorNext, next: spare)
        let writes = VirtioBlockDevice.descriptorDeviceWrites
        for (i, page) in pages.enumerated() {
            setDescriptor(spare + i, address: KernelPageTables.physical(of: UnsafeRawPointer(page)), length: UInt32(kfsBlockSize),
                          flags: VirtioBlockDevice.descriptorNext | writes, next: spare + i + 1)
        }
        setDescriptor(spare + pages.count, address: headerPhysical + UInt64(32 * slot + 16), length: 1, flags: writes, next: 0)
        slots[slot].busy = true
        slots[slot].block = block
        slots[slot].isWrite = false
        publishLocked(head: 3 * slot)
    }

    private func setDescriptor(_ index: Int, address: UInt64, length: UInt32, flags: UInt16, next: Int) {
        let d = descriptors + 16 * index
        d.storeBytes(of: address, as: UInt64.self)
        d.storeBytes(of: length, toByteOffset: 8, as: UInt32.self)
        d.storeBytes(of: flags, toByteOffset: 12, as: UInt16.self)
        d.storeBytes(of: UInt16(next), toByteOffset: 14, as: UInt16.self)
    }

    /// The device's used index (a volatile read: the device writes it behind our back).
    private var deviceUsedIndex: UInt16 {
        UInt16(truncatingIfNeeded: arch_mmio_read32(UInt64(UInt(bitPattern: used))) >> 16)
    }

    /// Frees the slots the device has completed. Returns false if a read or flush among them
    /// failed is not tracked here: each waiter checks its own slot's status.
    private func reapLocked() {
        let end = deviceUsedIndex
        k42_compiler_barrier()
        while lastUsed != end {
            let element = used + 4 + 8 * (Int(lastUsed) % queueSize)
            let head = Int(element.load(as: UInt32.self))
            lastUsed &+= 1
            let slot = head / 3
            guard slot < slots.count, slots[slot].busy else { continue }
            if slots[slot].isWrite {
                if statusByte(slot) != 0 { postedWriteFailed = true }
                slots[slot].busy = false
                inFlightWrites -= 1
            } else {
                slots[slot].busy = false     // the waiter reads its status byte
            }
        }
    }

    private func statusByte(_ slot: Int) -> UInt8 {
        KernelPageTables.virtualBytes(headerPhysical + UInt64(32 * slot + 16)).load(as: UInt8.self)
    }

    /// Spins until `slot` completes; true if the device reported VIRTIO_BLK_S_OK.
    private func waitForSlotLocked(_ slot: Int) -> Bool {
        while slots[slot].busy {
            reapLocked()
            if slots[slot].busy { k42_cpu_relax() }
        }
        return statusByte(slot) == 0
    }

    /// Waits for every posted write; EIO if any failed since the last wait.
    private func waitForAllLocked() throws(KFSError) {
        while inFlightWrites > 0 {
            reapLocked()
            if inFlightWrites > 0 { k42_cpu_relax() }
        }
        if postedWriteFailed { postedWriteFailed = false; throw .io }
    }
}
