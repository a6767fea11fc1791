// A ramfs file's page cache as a clustered object (K42's FCM per file, paper section 4): the
// pages of one file, with two implementations that can be swapped while the file is read and
// written (docs/objects.md, "Hot swap"):
//   FileCacheShared       one representative: one table, one lock (K42's FCMDefault)
//   FileCachePartitioned  one representative per CPU; pages spread over per-CPU partitions by
//                         index, each with its own lock (K42's FCMPartitioned)
// Both move their pages by reference in the `.filePages` transfer format. Calls only look up,
// insert or remove a page; copying to or from user memory happens after the call returns (a
// call must never span a quiescent point: Objects/Quiescence.swift).
import Objects

open class FileCache {
    public init() {}
    /// The page holding bytes [index * 4096, index * 4096 + 4096), if the file has one.
    open func page(_ index: Int) -> RamPage? { fatalError("FileCache is an interface") }
    open func insert(_ index: Int, _ page: RamPage) { fatalError("FileCache is an interface") }
    @discardableResult
    open func remove(_ index: Int) -> RamPage? { fatalError("FileCache is an interface") }
    open var count: Int { fatalError("FileCache is an interface") }
    open func indices() -> [Int] { fatalError("FileCache is an interface") }

    /// Every file cache object, and its implementations by name (for /proc/k42/objects).
    nonisolated(unsafe) public static let factory: ObjectFactory = {
        let f = ObjectFactory(typeName: "FileCache", register: true)
        f.addImplementation("Shared") { old in FileCacheShared.makeRoot(detail: CacheDetail(old.detail)) }
        f.addImplementation("Partitioned") { old in FileCachePartitioned.makeRoot(detail: CacheDetail(old.detail)) }
        return f
    }()
}

/// The `.filePages` transfer format: every page with its index.
final class FilePagesState: TransferredState {
    let pages: [(index: Int, page: RamPage)]
    init(pages: [(index: Int, page: RamPage)]) { self.pages = pages }
}

/// How RamFile (and a KFS file's page cache, Linux/KFSPageCache.swift) keeps its pages: a FileCache object made on the first page (or, if no object
/// id is free, a plain shared cache that is not swappable). Reads like a dictionary, so the
/// file's code is the same either way. Guarded by the inode's lock like the dictionary was.
/// What a cache object says it caches (the object listing's detail column): a text and,
/// for a file system's inode, its number. Kept in parts and formatted only when listed: the
/// formatting cost more than the rest of a tmpfs file's creation.
public struct CacheDetail {
    let text: String
    let inode: UInt64?
    public init(_ text: String, inode: UInt64? = nil) { self.text = text; self.inode = inode }
    var description: String { inode.map { "\(text) ino \($0)" } ?? text }
}

public struct FilePages {
    /// Whether files get cache objects (the kernel turns it on at boot; hosted file-system
    /// tests, which run without simulated CPUs, keep plain caches).
    nonisolated(unsafe) public static var useObjects = false

    private enum Backing {
        case none
        case object(CORef<FileCache>)
        case plain(FileCache)
    }
    private var backing = Backing.none
    let detail: CacheDetail

    public init(detail: String) { self.detail = CacheDetail(detail) }
    public init(detail: CacheDetail) { self.detail = detail }

    @inline(__always)
    private func with<R>(_ body: (FileCache) -> R) -> R? {
        switch backing {
        case .none: return nil
        case .object(let ref): return ref.call(body)
        case .plain(let cache): return body(cache)
        }
    }

    public subscript(index: Int) -> RamPage? {
        get { with { $0.page(index) } ?? nil }
        set {
            guard let newValue else { _ = removeValue(forKey: index); return }
            if case .none = backing {
                if FilePages.useObjects, let ref = try? CORef<FileCache>.create(FileCacheShared.makeRoot(detail: detail)) {
                    backing = .object(ref)
                } else {
                    backing = .plain(FileCacheShared(root: nil))
                }
            }
            _ = with { $0.insert(index, newValue) }
        }
    }

    @discardableResult
    public mutating func removeValue(forKey index: Int) -> RamPage? { with { $0.remove(index) } ?? nil }

    public var count: Int { with { $0.count } ?? 0 }
    public var keys: [Int] { with { $0.indices() } ?? [] }

    /// The file is gone: destroy its cache object (after a swap in progress ends, and without
    /// an interposer in the way).
    public func release() {
        guard case .object(let ref) = backing else { return }
        let space = ObjectSpace.shared!
        while true {
            do { try ref.destroy(); return } catch {
                guard error == .busy else { return }
                if space.gateKind(ref.id) == .interposer { _ = try? space.removeInterposer(ref.id) }
                else { space.completeSwap(ref.id) }
            }
        }
    }
}
