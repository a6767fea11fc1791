// Character-device drivers by device number (Linux's chrdev table): opening a device node in
// any file system (devfs, or a node the initramfs carried) asks this registry for an open file.
// The kernel registers drivers at boot (DevFS.swift registers the standard ones); registration
// is rare, so one lock guards the table.
import LinuxABI
import Objects

/// Makes the open file for a device node: the node's inode and the open flags.
public typealias DeviceOpener = (Inode, OpenFlags) throws(Errno) -> OpenFile

public final class DeviceRegistry: @unchecked Sendable {
    private let lock = SpinLock()
    private var openers: [DeviceNumber: DeviceOpener] = [:]

    public init() {}

    /// Registers (or replaces) the driver for `device`.
    public func register(_ device: DeviceNumber, opener: @escaping DeviceOpener) {
        lock.withLock { openers[device] = opener }
    }
    public func unregister(_ device: DeviceNumber) {
        _ = lock.withLock { openers.removeValue(forKey: device) }
    }
    public func isRegistered(_ device: DeviceNumber) -> Bool { lock.withLock { openers[device] != nil } }

    /// Opens device `device` through node `inode`; ENXIO with no driver (man 2 open).
    public func open(_ device: DeviceNumber, inode: Inode, flags: OpenFlags) throws(Errno) -> OpenFile {
        guard let opener = lock.withLock({ openers[device] }) else { throw .ENXIO }
        return try opener(inode, flags)
    }
}
