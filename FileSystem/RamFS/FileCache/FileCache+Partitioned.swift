// The partitioned file cache (K42's FCMPartitioned): one representative per CPU, and the pages
// spread over one partition per CPU by page index, each partition with its own lock, so CPUs
// working on different parts of a file do not meet on one lock or one table.
import Objects

final class FilePartition {
    let lock = SpinLock()
    var pages = IntMap<RamPage>()                         // guarded by lock
}

public final class FileCachePartitioned: FileCache {
    unowned(unsafe) let root: FileCachePartitionedRoot

    init(root: FileCachePartitionedRoot) { self.root = root }

    @inline(__always)
    private func partition(_ index: Int) -> FilePartition { root.partitions[index % root.partitions.count] }

    override public func page(_ index: Int) -> RamPage? {
        let p = partition(index)
        return p.lock.withLock { p.pages[index] }
    }
    override public func insert(_ index: Int, _ page: RamPage) {
        let p = partition(index)
        p.lock.withLock { p.pages[index] = page }
    }
    override public func remove(_ index: Int) -> RamPage? {
        let p = partition(index)
        return p.lock.withLock { p.pages.removeValue(forKey: index) }
    }
    override public var count: Int { root.partitions.reduce(0) { n, p in n + p.lock.withLock { p.pages.count } } }
    override public func indices() -> [Int] {
        var out: [Int] = []
        for p in root.partitions { p.lock.withLock { out.append(contentsOf: p.pages.keys) } }
        return out
    }

    static func makeRoot(detail: CacheDetail) -> FileCachePartitionedRoot {
        FileCachePartitionedRoot(detail: detail, cpus: ObjectSpace.shared.maxCPUs)
    }
}

public final class FileCachePartitionedRoot: RootBase, ObjectRoot {
    let partitions: [FilePartition]
    private var reps: [FileCachePartitioned?]             // per CPU, made on first use; guarded by lock
    private let lock = SpinLock()
    private let about: CacheDetail

    init(detail: CacheDetail, cpus: Int) {
        about = detail
        partitions = (0..<max(cpus, 1)).map { _ in FilePartition() }
        reps = Array(repeating: nil, count: max(cpus, 1))
        super.init(typeName: "FileCache", implementationName: "Partitioned")
        factory = FileCache.factory
    }

    public func representative(forCPU cpu: Int) -> UnsafeMutableRawPointer {
        let rep: FileCachePartitioned = lock.withLockIRQSave {
            if let r = reps[cpu] { return r }
            let r = FileCachePartitioned(root: self)
            reps[cpu] = r
            return r
        }
        return Unmanaged.passUnretained(rep).toOpaque()
    }
    public func cleanup() { lock.withLockIRQSave { reps = reps.map { _ in nil } } }
    public var representativeCount: Int { lock.withLockIRQSave { reps.reduce(0) { $0 + ($1 == nil ? 0 : 1) } } }
    override public var detail: String { about.description }

    override public var exportFormats: TransferFormats { [.filePages] }
    override public var importFormats: TransferFormats { [.filePages] }
    override public func exportState(_ format: TransferFormats) -> TransferredState? {
        var all: [(index: Int, page: RamPage)] = []
        for p in partitions { p.lock.withLock { for (i, page) in p.pages { all.append((i, page)) } } }
        return FilePagesState(pages: all)
    }
    override public func importState(_ format: TransferFormats, _ state: TransferredState?) -> Bool {
        guard let state = state as? FilePagesState else { return false }
        for (index, page) in state.pages {
            let p = partitions[index % partitions.count]
            p.lock.withLock { p.pages[index] = page }
        }
        return true
    }
}
