// The block-device protocol KFS runs on, and an in-memory device for tests and tools.
// The kernel will supply a virtio-blk device, the host tools a file-backed one
// (FileBlockDevice.swift); KFS is generic over the device (no existential: Embedded Swift).
// Blocks are always `kfsBlockSize` bytes; the device decides only how many there are.

/// A device of fixed-size blocks. Writes may be reordered until `flush()` returns: KFS relies
/// only on flush as a barrier (docs/kfs-format.md "Commit protocol").
public protocol BlockDevice: AnyObject {
    /// Number of `kfsBlockSize`-byte blocks.
    var blockCount: UInt64 { get }
    /// Reads block `index` into `buffer` (which has `kfsBlockSize` bytes).
    func readBlock(_ index: UInt64, into buffer: inout [UInt8]) throws(KFSError)
    /// Writes `data` (exactly `kfsBlockSize` bytes) to block `index`.
    func writeBlock(_ index: UInt64, _ data: [UInt8]) throws(KFSError)
    /// Returns once every earlier write is durable.
    func flush() throws(KFSError)
    /// Reads the contiguous blocks `first`, `first + 1`, ... into `destinations` (one
    /// `kfsBlockSize`-byte buffer per block). Devices that can serve a run in one request
    /// (virtio-blk) implement it; the default reads block by block.
    func readBlocks(_ first: UInt64, into destinations: [UnsafeMutableRawPointer]) throws(KFSError)
}

extension BlockDevice {
    public func readBlocks(_ first: UInt64, into destinations: [UnsafeMutableRawPointer]) throws(KFSError) {
        var buffer = [UInt8](repeating: 0, count: kfsBlockSize)
        for (offset, destination) in destinations.enumerated() {
            try readBlock(first + UInt64(offset), into: &buffer)
            guard buffer.count == kfsBlockSize else { throw .io }
            buffer.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress!, byteCount: kfsBlockSize) }
        }
    }
}

/// Block size of every KFS image (bytes).
public let kfsBlockSize = 4096

/// A RAM disk: used by unit tests, by the crash and fuzz tests, and by mkfs to build images.
public final class MemoryBlockDevice: BlockDevice {
    public private(set) var blocks: [[UInt8]]
    public private(set) var writeCount = 0
    public private(set) var flushCount = 0

    public init(blockCount: Int) {
        blocks = [[UInt8]](repeating: [UInt8](repeating: 0, count: kfsBlockSize), count: blockCount)
    }

    /// Wraps an existing image (for example one mutated by a fuzz test). A trailing partial block
    /// is dropped, as a real device of that size would not expose it.
    public init(image: [UInt8]) {
        let count = image.count / kfsBlockSize
        blocks = []
        blocks.reserveCapacity(count)
        for index in 0..<count {
            blocks.append(Array(image[(index * kfsBlockSize)..<((index + 1) * kfsBlockSize)]))
        }
    }

    /// The whole device as one byte array (block 0 first).
    public var image: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(blocks.count * kfsBlockSize)
        for block in blocks { out.append(contentsOf: block) }
        return out
    }

    public var blockCount: UInt64 { UInt64(blocks.count) }

    public func readBlock(_ index: UInt64, into buffer: inout [UInt8]) throws(KFSError) {
        guard index < UInt64(blocks.count) else { throw .io }
        buffer = blocks[Int(index)]
    }

    public func writeBlock(_ index: UInt64, _ data: [UInt8]) throws(KFSError) {
        guard index < UInt64(blocks.count), data.count == kfsBlockSize else { throw .io }
        blocks[Int(index)] = data
        writeCount += 1
    }

    public func flush() throws(KFSError) { flushCount += 1 }
}
