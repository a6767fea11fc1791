// The shared file cache: one representative for every CPU, one table of pages, one lock.
import Objects

public final class FileCacheShared: FileCache {
    private let lock = SpinLock()
    private var pages = IntMap<RamPage>()                 // guarded by lock
    unowned(unsafe) let root: FileCacheSharedRoot?

    init(root: FileCacheSharedRoot?) { self.root = root }

    override public func page(_ index: Int) -> RamPage? { lock.withLock { pages[index] } }
    override public func insert(_ index: Int, _ page: RamPage) { lock.withLock { pages[index] = page } }
    override public func remove(_ index: Int) -> RamPage? { lock.withLock { pages.removeValue(forKey: index) } }
    override public var count: Int { lock.withLock { pages.count } }
    override public func indices() -> [Int] { lock.withLock { pages.keys } }

    func export() -> [(index: Int, page: RamPage)] { lock.withLock { pages.map { ($0.key, $0.value) } } }

    static func makeRoot(detail: CacheDetail) -> FileCacheSharedRoot { FileCacheSharedRoot(detail: detail) }
}

public final class FileCacheSharedRoot: RootBase, ObjectRoot {
    private var rep: FileCacheShared? = nil
    private let about: CacheDetail

    init(detail: CacheDetail) {
        about = detail
        super.init(typeName: "FileCache", implementationName: "Shared")
        rep = FileCacheShared(root: self)
        factory = FileCache.factory
    }

    public func representative(forCPU cpu: Int) -> UnsafeMutableRawPointer { Unmanaged.passUnretained(rep!).toOpaque() }
    public func cleanup() { rep = nil }
    public var representativeCount: Int { rep == nil ? 0 : 1 }
    override public var detail: String { about.description }

    override public var exportFormats: TransferFormats { [.filePages] }
    override public var importFormats: TransferFormats { [.filePages] }
    override public func exportState(_ format: TransferFormats) -> TransferredState? {
        FilePagesState(pages: rep?.export() ?? [])
    }
    override public func importState(_ format: TransferFormats, _ state: TransferredState?) -> Bool {
        guard let state = state as? FilePagesState, let rep else { return false }
        for (index, page) in state.pages { rep.insert(index, page) }
        return true
    }
}
