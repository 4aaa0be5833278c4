#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CMapGuard
import Foundation

/// What identifies a file's contents cheaply: device, inode, size and modification time. A model file
/// that is rewritten, replaced or removed while a long run uses it shows up as a change here.
public struct FileIdentity: Equatable, Sendable, CustomStringConvertible {
    public let device: UInt64
    public let inode: UInt64
    public let size: Int
    public let modified: timespec

    public init(path: String) throws {
        var st = stat()
        guard stat(path, &st) == 0 else { throw MappedFile.Failure.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        self.init(st)
    }

    init(_ st: stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        size = Int(st.st_size)
        modified = st.st_mtim
    }

    public static func == (a: FileIdentity, b: FileIdentity) -> Bool {
        a.device == b.device && a.inode == b.inode && a.size == b.size
            && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
    }

    /// Size and modification time, for fingerprints of settings that must not change between runs.
    public var description: String { "\(size) bytes, modified \(modified.tv_sec).\(modified.tv_nsec)" }

    /// How the file at `path` differs from this identity now, or nil if it does not.
    public func change(at path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return "was removed" }
        let now = FileIdentity(st)
        if now.device != device || now.inode != inode { return "was replaced by another file" }
        if now.size != size { return "changed size from \(size) to \(now.size) bytes" }
        if now != self { return "was modified" }
        return nil
    }
}

/// A file mapped read-only into memory. Weight tensors are views into this mapping; nothing is copied.
/// The mapping lives as long as this object (views must keep a reference to it).
public final class MappedFile: @unchecked Sendable {
    public let path: String
    /// Start of the mapping; nil for an empty file.
    public let base: UnsafeRawPointer?
    /// File size in bytes at open time.
    public let size: Int
    /// The file as it was when mapped.
    public let identity: FileIdentity

    public enum Failure: Error, CustomStringConvertible {
        case cannotOpen(path: String, reason: String)
        case notARegularFile(path: String)
        case cannotMap(path: String, reason: String)

        public var description: String {
            switch self {
            case .cannotOpen(let path, let reason): return "\(path): cannot open: \(reason)"
            case .notARegularFile(let path): return "\(path): not a regular file"
            case .cannotMap(let path, let reason): return "\(path): cannot memory-map: \(reason)"
            }
        }
    }

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw Failure.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw Failure.notARegularFile(path: path) }
        size = Int(st.st_size)
        identity = FileIdentity(st)
        if size == 0 {
            base = nil
            return
        }
        let p = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0)
        guard let p, p != MAP_FAILED else {
            throw Failure.cannotMap(path: path, reason: String(cString: strerror(errno)))
        }
        base = UnsafeRawPointer(p)
        mg_register(p, size, path)
    }

    deinit {
        if let base {
            mg_unregister(base)
            munmap(UnsafeMutableRawPointer(mutating: base), size)
        }
    }

    /// Turns SIGBUS from a mapped file that shrank under the process into a one-line error naming the
    /// file (printed after `prefix`) and exit status 1. Programs call it once at start.
    public static func guardAgainstShrinkingFiles(prefix: String) {
        mg_install(prefix)
    }

    /// The bytes in [offset, offset+count), or nil if that range is not inside the file.
    public func bytes(at offset: Int, count: Int) -> UnsafeRawBufferPointer? {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else { return nil }
        guard let base else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base + offset, count: count)
    }

    /// Tells the kernel this process is done with these bytes for now: the pages leave this
    /// process's resident set (they stay in the page cache). Converters call it after each tensor so
    /// that streaming a 24 GB checkpoint keeps a small footprint.
    public func release(_ bytes: UnsafeRawBufferPointer) {
        advise(bytes, MADV_DONTNEED)
    }

    /// Asks the kernel to start reading these bytes into the page cache now, without waiting. Many small
    /// ranges requested at once are read in parallel; touched one after another, each waits for the disk.
    public func willNeed(_ bytes: UnsafeRawBufferPointer) {
        advise(bytes, MADV_WILLNEED)
    }

    /// madvise over the whole pages that hold `bytes` (a range inside this mapping).
    private func advise(_ bytes: UnsafeRawBufferPointer, _ advice: Int32) {
        guard let start = bytes.baseAddress, let base, bytes.count > 0 else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let from = (start - base) / page * page
        let to = min(size, ((start - base) + bytes.count + page - 1) / page * page)
        guard to > from else { return }
        madvise(UnsafeMutableRawPointer(mutating: base + from), to - from, advice)
    }

    /// The whole file.
    public var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: size) }
}
