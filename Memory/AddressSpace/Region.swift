// A Region (K42 paper section 4): a range of virtual addresses mapped onto a range of pages of
// one FCM, with access rights. Regions are what mmap creates and munmap/mprotect split.

public final class Region {
    public var start: UInt64
    public var end: UInt64
    public var protection: Protection
    /// The FCM providing the pages, and the FCM page that `start` maps.
    public var fcm: FCM
    public var fcmFirstPage: UInt64
    /// MAP_SHARED: writes go to the FCM's own pages and fork shares them (no copy-on-write).
    public var shared: Bool
    /// What it is for (shown in /proc/PID/maps).
    public var name: String
    /// Grows down on faults just below it (the main stack).
    public var growsDown: Bool

    public init(start: UInt64, end: UInt64, protection: Protection, fcm: FCM, fcmFirstPage: UInt64 = 0,
                shared: Bool = false, name: String = "", growsDown: Bool = false) {
        self.start = start; self.end = end; self.protection = protection
        self.fcm = fcm; self.fcmFirstPage = fcmFirstPage
        self.shared = shared; self.name = name; self.growsDown = growsDown
    }

    @inline(__always) public func contains(_ address: UInt64) -> Bool { address >= start && address < end }

    /// The FCM page index backing `address`.
    @inline(__always) public func pageIndex(_ address: UInt64) -> UInt64 {
        fcmFirstPage + (address - start) / UInt64(pageSize)
    }

    /// A copy covering [from, to) of this region (for splits).
    func slice(from: UInt64, to: UInt64) -> Region {
        Region(start: from, end: to, protection: protection, fcm: fcm,
               fcmFirstPage: pageIndex(from), shared: shared, name: name, growsDown: growsDown)
    }
}
