// Helpers shared by the harnesses: the parsers under test read files, so inputs go through a
// per-process file in /dev/shm (tmpfs: no disk I/O per execution).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fuzzer's input as a buffer.
public func fuzzInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: data, count: size)
}

/// Writes `bytes` to this process's scratch file ending in `suffix` and runs `body` on its path.
/// The file is removed afterwards, so `body` must not keep a mapping of it.
public func withTemporaryFile<T>(_ bytes: UnsafeRawBufferPointer, suffix: String,
                                 _ body: (String) throws -> T) rethrows -> T {
    let dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    let path = "\(dir)/glimpse-fuzz-\(getpid())\(suffix)"
    defer { unlink(path) }
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { fatalError("harness: cannot create \(path)") }
    var done = 0
    while done < bytes.count, let base = bytes.baseAddress {
        let n = write(fd, base + done, bytes.count - done)
        guard n > 0 else { fatalError("harness: cannot write \(path)") }
        done += n
    }
    close(fd)
    return try body(path)
}

/// Renders an error the way the CLI would print it, so description code runs on hostile values too.
public func describe(_ error: any Error) {
    let text = String(describing: error)
    // A description is shown to a user: it must never be empty.
    if text.isEmpty { fatalError("empty error description for \(type(of: error))") }
}

/// Fails the run (a libFuzzer "crash") when a parser broke one of its own promises.
public func invariant(_ condition: Bool, _ message: @autoclosure () -> String,
                      file: StaticString = #file, line: UInt = #line) {
    if !condition { fatalError("invariant: \(message())", file: file, line: line) }
}

/// A zip archive of stored (uncompressed) entries, as torch.save writes them; CRCs are left zero
/// because Glimpse's reader does not check them.
public func storedZip(_ entries: [(name: String, data: [UInt8])]) -> [UInt8] {
    var out: [UInt8] = []
    var central: [UInt8] = []
    func u16(_ v: Int, _ b: inout [UInt8]) { b += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
    func u32(_ v: Int, _ b: inout [UInt8]) { for s in stride(from: 0, to: 32, by: 8) { b.append(UInt8(v >> s & 0xFF)) } }
    for (name, data) in entries {
        let nameBytes = Array(name.utf8)
        let offset = out.count
        u32(0x0403_4B50, &out); u16(20, &out); u16(0, &out); u16(0, &out); u16(0, &out); u16(0, &out)
        u32(0, &out); u32(data.count, &out); u32(data.count, &out); u16(nameBytes.count, &out); u16(0, &out)
        out += nameBytes
        out += data
        u32(0x0201_4B50, &central); u16(20, &central); u16(20, &central); u16(0, &central); u16(0, &central)
        u16(0, &central); u16(0, &central); u32(0, &central); u32(data.count, &central); u32(data.count, &central)
        u16(nameBytes.count, &central); u16(0, &central); u16(0, &central); u16(0, &central); u16(0, &central)
        u32(0, &central); u32(offset, &central)
        central += nameBytes
    }
    let centralOffset = out.count
    out += central
    u32(0x0605_4B50, &out); u16(0, &out); u16(0, &out); u16(entries.count, &out); u16(entries.count, &out)
    u32(central.count, &out); u32(centralOffset, &out); u16(0, &out)
    return out
}
