// The libfuse3 high-level operation table for KFS: each entry maps one FUSE callback onto the
// library call of the same meaning (getattr -> stat, readdir -> readdir, ...). Paths arrive
// absolute; open/create store the element id in fi->fh so reads and writes skip the lookup.
// fsync and unmount (destroy) commit the snapshot.

import CFuse3
import Glibc
import KFS

func kfsOperations() -> fuse_operations {
    var operations = fuse_operations()
    operations.`init` = { _, config in
        config?.pointee.use_ino = 1  // st_ino is the KFS element id
        return nil
    }
    operations.destroy = { _ in _ = locked { () throws(KFSError) in try mounted.sync(); return 0 } }
    operations.getattr = { path, out, info in
        locked { () throws(KFSError) in
            fill(out!, try mounted.stat(try handleOrPath(path, info)))
            return 0
        }
    }
    operations.readdir = { path, buffer, filler, _, _, _ in fillDirectory(path, buffer, filler) }
    operations.mkdir = { path, mode in
        locked { () throws(KFSError) in
            let (parent, name) = try parentAndName(path)
            try mounted.create(parent, name, .directory, mode: UInt32(mode), uid: kfs_fuse_caller_uid(),
                               gid: kfs_fuse_caller_gid())
            return 0
        }
    }
    operations.create = { path, mode, info in
        locked { () throws(KFSError) in
            let (parent, name) = try parentAndName(path)
            let id = try mounted.create(parent, name, .file, mode: UInt32(mode), uid: kfs_fuse_caller_uid(),
                                        gid: kfs_fuse_caller_gid())
            info?.pointee.fh = UInt64(id)
            return 0
        }
    }
    operations.open = { path, info in
        locked { () throws(KFSError) in
            let id = try resolve(path)
            if try mounted.stat(id).kind == .directory { throw .isDirectory }
            // libfuse3 enables FUSE_CAP_ATOMIC_O_TRUNC: O_TRUNC arrives here, not as a setattr.
            if let flags = info?.pointee.flags, flags & O_TRUNC != 0 { try mounted.truncate(id, size: 0) }
            info?.pointee.fh = UInt64(id)
            return 0
        }
    }
    operations.read = { path, buffer, size, offset, info in
        locked { () throws(KFSError) in
            guard offset >= 0 else { throw .invalid }
            return Int32(try readRun(try handleOrPath(path, info), UInt64(offset), buffer, size))
        }
    }
    operations.write = { path, buffer, size, offset, info in
        locked { () throws(KFSError) in
            guard offset >= 0, let buffer else { throw .invalid }
            let data = Array(UnsafeRawBufferPointer(start: buffer, count: size))
            return Int32(try mounted.write(try handleOrPath(path, info), offset: UInt64(offset), data))
        }
    }
    operations.truncate = { path, size, info in
        locked { () throws(KFSError) in
            guard size >= 0 else { throw .invalid }
            try mounted.truncate(try handleOrPath(path, info), size: UInt64(size))
            return 0
        }
    }
    operations.unlink = { path in
        locked { () throws(KFSError) in
            let (parent, name) = try parentAndName(path)
            try mounted.unlink(parent, name)
            return 0
        }
    }
    operations.rmdir = { path in
        locked { () throws(KFSError) in
            let (parent, name) = try parentAndName(path)
            try mounted.rmdir(parent, name)
            return 0
        }
    }
    operations.rename = { from, to, flags in
        locked { () throws(KFSError) in
            // RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2 (include/uapi/linux/fs.h).
            guard flags & ~1 == 0 else { throw .invalid }
            let (sourceParent, sourceName) = try parentAndName(from)
            let (targetParent, targetName) = try parentAndName(to)
            try mounted.rename(sourceParent, sourceName, targetParent, targetName, noReplace: flags & 1 != 0)
            return 0
        }
    }
    operations.link = { from, to in
        locked { () throws(KFSError) in
            let id = try resolve(from)
            let (parent, name) = try parentAndName(to)
            try mounted.link(id, parent, name)
            return 0
        }
    }
    operations.symlink = { target, path in
        locked { () throws(KFSError) in
            let (parent, name) = try parentAndName(path)
            try mounted.create(parent, name, .symlink(target: bytes(target)), mode: 0o777,
                               uid: kfs_fuse_caller_uid(), gid: kfs_fuse_caller_gid())
            return 0
        }
    }
    operations.readlink = { path, buffer, size in
        locked { () throws(KFSError) in
            guard size > 0 else { throw .invalid }
            let target = try mounted.readlink(try resolve(path))
            let count = copyOut(target, buffer, size - 1)
            buffer?[count] = 0
            return 0
        }
    }
    operations.chmod = { path, mode, info in
        locked { () throws(KFSError) in try mounted.chmod(try handleOrPath(path, info), mode: UInt32(mode)); return 0 }
    }
    operations.chown = { path, uid, gid, info in
        locked { () throws(KFSError) in
            try mounted.chown(try handleOrPath(path, info), uid: uid == UInt32.max ? nil : uid,
                              gid: gid == UInt32.max ? nil : gid)
            return 0
        }
    }
    operations.utimens = { path, times, info in
        locked { () throws(KFSError) in
            // UTIME_NOW and UTIME_OMIT, from include/uapi/linux/stat.h.
            let utimeNow = (1 << 30) - 1, utimeOmit = (1 << 30) - 2
            func value(_ index: Int) -> Int64? {
                guard let times else { return kfsHostClock() }
                let time = times[index]
                if time.tv_nsec == utimeOmit { return nil }
                if time.tv_nsec == utimeNow { return kfsHostClock() }
                return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
            }
            try mounted.setTimes(try handleOrPath(path, info), accessNs: value(0), modifyNs: value(1))
            return 0
        }
    }
    operations.statfs = { _, out in
        locked { () throws(KFSError) in
            let stat = mounted.statfs()
            guard let out else { throw .invalid }
            memset(out, 0, MemoryLayout<statvfs>.size)
            out.pointee.f_bsize = UInt(stat.blockSize)
            out.pointee.f_frsize = UInt(stat.blockSize)
            out.pointee.f_blocks = UInt(stat.totalBlocks)
            out.pointee.f_bfree = UInt(stat.freeBlocks)
            out.pointee.f_bavail = UInt(stat.freeBlocks)
            out.pointee.f_files = UInt(stat.totalElements)
            out.pointee.f_ffree = UInt(stat.freeElements)
            out.pointee.f_favail = UInt(stat.freeElements)
            out.pointee.f_namemax = UInt(stat.nameMax)
            return 0
        }
    }
    operations.fsync = { _, _, _ in locked { () throws(KFSError) in try mounted.sync(); return 0 } }
    operations.fsyncdir = { _, _, _ in locked { () throws(KFSError) in try mounted.sync(); return 0 } }
    operations.getxattr = { path, name, value, size in
        locked { () throws(KFSError) in
            guard String(cString: name!) == implementationAttribute else { return -ENODATA }
            let text = Array(String(describing: try mounted.implementationName(of: try resolve(path))).utf8)
            if size == 0 { return Int32(text.count) }
            guard size >= text.count else { return -ERANGE }
            return Int32(copyOut(text, value, size))
        }
    }
    operations.listxattr = { path, list, size in
        locked { () throws(KFSError) in
            _ = try resolve(path)
            var names = Array(implementationAttribute.utf8)
            names.append(0)
            if size == 0 { return Int32(names.count) }
            guard size >= names.count else { return -ERANGE }
            return Int32(copyOut(names, list, size))
        }
    }
    return operations
}
