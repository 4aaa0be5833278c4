#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A file mapped read-only into memory. Weight tensors are views into this mapping; nothing is copied.
/// The mapping lives as long as this object (views must keep a reference to it).
public final class MappedFile: @unchecked Sendable {
    public let path: String
    /// Start of the mapping; nil for an empty file.
    public let base: UnsafeRawPointer?
    /// File size in bytes at open time.
    public let size: Int

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
        if size == 0 {
            base = nil
            return
        }
        let p = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0)
        guard let p, p != MAP_FAILED else {
            throw Failure.cannotMap(path: path, reason: String(cString: strerror(errno)))
        }
        base = UnsafeRawPointer(p)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), size) }
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
        guard let start = bytes.baseAddress, let base, bytes.count > 0 else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let from = (start - base) / page * page
        let to = min(size, ((start - base) + bytes.count + page - 1) / page * page)
        guard to > from else { return }
        madvise(UnsafeMutableRawPointer(mutating: base + from), to - from, MADV_DONTNEED)
    }

    /// The whole file.
    public var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: size) }
}
