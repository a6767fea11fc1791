// mkfs.kfs IMAGE [SIZE]: writes an empty KFS file system (docs/kfs-format.md) into an image
// file, creating or extending the file to SIZE first (SIZE like 64M, 1G, 4096K or bytes).
// The library's FileSystem.format does the work; this file only handles the command line.

import ArgumentParser
import Glibc
import KFS

@main
struct MkfsKFS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mkfs.kfs", abstract: "Create a KFS file system in an image file.")

    @Argument(help: "Image file (created if missing).") var image: String
    @Argument(help: "Size, e.g. 64M or 1G; default: the file's current size.") var size: String?
    @Option(name: [.customShort("L"), .long], help: "Volume label (up to 32 bytes).") var label: String = ""
    @Flag(name: .shortAndLong, help: "Print nothing on success.") var quiet = false

    static func parseSize(_ text: String) -> UInt64? {
        var digits = text
        var multiplier: UInt64 = 1
        if let last = text.last, !last.isNumber {
            digits = String(text.dropLast())
            switch last {
            case "k", "K": multiplier = 1 << 10
            case "m", "M": multiplier = 1 << 20
            case "g", "G": multiplier = 1 << 30
            case "t", "T": multiplier = 1 << 40
            default: return nil
            }
        }
        guard let value = UInt64(digits) else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : bytes
    }

    func run() throws {
        let descriptor = open(image, O_RDWR | O_CREAT, 0o644)
        guard descriptor >= 0 else { throw fail("cannot open \(image): \(String(cString: strerror(errno)))") }
        var info = stat()
        fstat(descriptor, &info)
        if let size {
            guard let bytes = MkfsKFS.parseSize(size) else { throw fail("bad size '\(size)'") }
            if bytes > UInt64(info.st_size), ftruncate(descriptor, off_t(bytes)) != 0 {
                throw fail("cannot extend \(image): \(String(cString: strerror(errno)))")
            }
        }
        close(descriptor)
        do {
            let device = try FileBlockDevice(path: image)
            guard device.blockCount >= 16 else { throw fail("\(image) is too small (at least 64K)") }
            var uuid: [UInt8] = []
            for _ in 0..<16 { uuid.append(UInt8.random(in: 0...255)) }
            try FileSystem.format(device, label: Array(label.utf8), uuid: uuid, now: kfsHostClock())
            let fileSystem = try FileSystem(mounting: device)
            let stat = fileSystem.statfs()
            if !quiet {
                print("mkfs.kfs: \(image): \(stat.totalBlocks) blocks of \(stat.blockSize) bytes, "
                      + "\(stat.freeBlocks) free, format version \(kfsFormatVersion)")
            }
        } catch let error as KFSError {
            throw fail("\(image): \(error.name) (errno \(error.errno))")
        }
    }

    func fail(_ message: String) -> ExitCode {
        let line = Array("mkfs.kfs: \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        return ExitCode(1)
    }
}
