// swift-tools-version:6.0
// The hosted build: the portable kernel layers and their unit tests (`swift test`), and the
// host tools (`make tools`). The kernel image itself is built by the Makefile with swiftc in
// Embedded mode from the same sources (see Makefile and docs/build.md).
import PackageDescription

let swift5: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
    name: "K42",
    platforms: [.macOS(.v15)],
    products: [
        // --- Tools (host command-line programs; `make tools` copies them to build/bin) ---
        // [trace tools: owned by the tracing work]
        .executable(name: "k42-trace", targets: ["K42TraceTool"]),
        // [KFS tools: owned by the KFS work]
        .executable(name: "mkfs.kfs", targets: ["MkfsKFS"]),
        .executable(name: "fsck.kfs", targets: ["FsckKFS"]),
        .executable(name: "kfs-fuse", targets: ["KFSFuse"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // --- Portable kernel layers (also compiled in Embedded mode by the Makefile) ---
        .target(name: "Platform", path: "Arch/Platform"),
        .target(name: "Objects", dependencies: ["Platform", "Trace"], path: "Objects", exclude: ["Counter/README.md"], swiftSettings: swift5),
        .target(name: "Memory", dependencies: ["Platform", "Objects", "LinuxABI", "Trace"], path: "Memory", swiftSettings: swift5),
        .target(name: "Firmware", path: "Drivers/Firmware", swiftSettings: swift5),
        .target(name: "LinuxABI", path: "LinuxABI", swiftSettings: swift5),
        // [file-system layer: VFS, ramfs, devfs, procfs, pipes, tty]
        .target(name: "FileSystem", dependencies: ["LinuxABI", "Objects", "Platform"], path: "FileSystem", swiftSettings: swift5),
        // [tracing library: owned by the tracing work]
        .target(name: "Trace", dependencies: ["Platform"], path: "Trace", swiftSettings: swift5),
        // [KFS library: owned by the KFS work]
        .target(name: "KFS", path: "KFS", swiftSettings: swift5),

        // --- Host tools ---
        // [trace tools: owned by the tracing work]
        .executableTarget(name: "K42TraceTool", dependencies: [
            "Trace", "Platform", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Tools/k42-trace"),
        // [KFS tools: owned by the KFS work]
        .systemLibrary(name: "CFuse3", path: "Tools/CFuse3", pkgConfig: "fuse3",
                       providers: [.apt(["libfuse3-dev"])]),
        .executableTarget(name: "MkfsKFS", dependencies: [
            "KFS", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Tools/mkfs.kfs"),
        .executableTarget(name: "FsckKFS", dependencies: [
            "KFS", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Tools/fsck.kfs"),
        .executableTarget(name: "KFSFuse", dependencies: [
            "KFS", "CFuse3", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Tools/kfs-fuse"),

        // --- Tier 1: hosted unit tests ---
        .target(name: "K42TestSupport", dependencies: ["Objects", "Platform"], path: "Tests/Support", swiftSettings: swift5),
        .testTarget(name: "ObjectsTests", dependencies: ["Objects", "Platform", "K42TestSupport"], path: "Tests/ObjectsTests", swiftSettings: swift5),
        .testTarget(name: "MemoryTests", dependencies: ["Memory", "Objects", "Platform", "K42TestSupport"], path: "Tests/MemoryTests", swiftSettings: swift5),
        .testTarget(name: "FirmwareTests", dependencies: ["Firmware"], path: "Tests/FirmwareTests", swiftSettings: swift5),
        // [owned by the tracing work]
        .testTarget(name: "TraceTests", dependencies: ["Trace", "Platform", "K42TraceTool"], path: "Tests/TraceTests", swiftSettings: swift5),
        // [owned by the KFS work]
        .testTarget(name: "KFSTests", dependencies: ["KFS"], path: "Tests/KFSTests", swiftSettings: swift5),
        // [owned by the file-system work]
        .testTarget(name: "FileSystemTests", dependencies: ["FileSystem", "LinuxABI", "Objects", "Platform"], path: "Tests/FileSystemTests", swiftSettings: swift5),
    ]
)
