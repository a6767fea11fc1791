// Hosted tests of the epoll instance (FileSystem/EventPoll/): level-triggered, EPOLLET and
// EPOLLONESHOT reporting on a pipe, EEXIST/ENOENT, removal when the watched file's last
// descriptor closes, nesting (an epoll watching an epoll), and tmpfs statfs sizes.
import LinuxABI
import Testing
@testable import FileSystem

@Suite struct EventPollTests {
    let inode = AnonymousInode(device: DeviceNumber(major: 0, minor: 99), clock: FileSystemClock { 0 })

    @Test func levelEdgeAndOneShot() throws {
        let vfs = makeVFS()
        let (r, w) = vfs.makePipe()
        r.descriptorOpened(); w.descriptorOpened()
        let ep = EventPollFile(inode: inode)
        try ep.add(r, fd: 3, events: EpollEvents.EPOLLIN, data: 7)
        #expect(errno { try ep.add(r, fd: 3, events: EpollEvents.EPOLLIN, data: 7) } == .EEXIST)
        #expect(errno { try ep.modify(w, fd: 4, events: 0, data: 0) } == .ENOENT)
        #expect(ep.collect(limit: 4).isEmpty)
        #expect(ep.pollEvents() == 0)
        try w.write("x")
        #expect(ep.pollEvents() & PollEvents.POLLIN != 0)
        let first = ep.collect(limit: 4)
        #expect(first.count == 1 && first[0].data == 7 && first[0].events == EpollEvents.EPOLLIN)
        #expect(ep.collect(limit: 4).count == 1)                        // level: still ready

        try ep.modify(r, fd: 3, events: EpollEvents.EPOLLIN | EpollEvents.EPOLLET, data: 8)
        #expect(ep.collect(limit: 4).count == 1)                        // armed by MOD
        #expect(ep.collect(limit: 4).isEmpty)                           // no new wake-up
        try w.write("y")
        #expect(ep.collect(limit: 4).first?.data == 8)

        try ep.modify(r, fd: 3, events: EpollEvents.EPOLLIN | EpollEvents.EPOLLONESHOT, data: 9)
        #expect(ep.collect(limit: 4).count == 1)
        #expect(ep.collect(limit: 4).isEmpty)                           // disarmed
        try ep.modify(r, fd: 3, events: EpollEvents.EPOLLIN | EpollEvents.EPOLLONESHOT, data: 10)
        #expect(ep.collect(limit: 4).first?.data == 10)
        try ep.remove(r, fd: 3)
        #expect(errno { try ep.remove(r, fd: 3) } == .ENOENT)
    }

    @Test func lastDescriptorCloseRemovesTheEntry() throws {
        let vfs = makeVFS()
        let (r, w) = vfs.makePipe()
        r.descriptorOpened(); r.descriptorOpened(); w.descriptorOpened()   // r is dup'd
        let ep = EventPollFile(inode: inode)
        try ep.add(r, fd: 3, events: EpollEvents.EPOLLIN, data: 1)
        try w.write("x")
        r.descriptorClosed()
        #expect(ep.collect(limit: 4).count == 1)                        // one fd left
        r.descriptorClosed()
        #expect(ep.collect(limit: 4).isEmpty)                           // gone with the last
        #expect(r.waitQueue?.waiterCount == 0)                          // unregistered
    }

    @Test func nestedEpollAndLoops() throws {
        let vfs = makeVFS()
        let (r, w) = vfs.makePipe()
        let inner = EventPollFile(inode: inode), outer = EventPollFile(inode: inode)
        try inner.add(r, fd: 3, events: EpollEvents.EPOLLIN, data: 1)
        try outer.add(inner, fd: 4, events: EpollEvents.EPOLLIN, data: 2)
        #expect(inner.reaches(inner) && outer.reaches(inner) && !inner.reaches(outer))
        #expect(outer.collect(limit: 4).isEmpty)
        try w.write("x")
        #expect(outer.collect(limit: 4).first?.data == 2)
        inner.lastDescriptorClosed(); outer.lastDescriptorClosed()
        #expect(r.waitQueue?.waiterCount == 0)
    }

    @Test func tmpfsReportsHalfOfMemory() {
        let vfs = makeVFS()
        RamFS.memoryPages = 1000
        let tmpfs = vfs.makeRamFS(typeName: "tmpfs")
        #expect(tmpfs.statfs().blocks == 500 && tmpfs.statfs().type == StatFS.TMPFS_MAGIC)
        #expect(vfs.makeRamFS(typeName: "ramfs").statfs().blocks == 0)
        #expect(vfs.makeRamFS(typeName: "tmpfs", pageLimit: 64).statfs().blocks == 64)
    }
}
