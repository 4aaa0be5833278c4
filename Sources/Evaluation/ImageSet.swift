import Foundation

/// An image identifier as COCO results carry it: the annotation file's integer id, or for a plain folder
/// the file's number (COCO_val2014_000000391895.jpg -> 391895) or, failing that, its name.
public enum ImageID: Hashable, Comparable, Sendable, CustomStringConvertible {
    case number(Int)
    case name(String)

    public var description: String {
        switch self {
        case .number(let n): return String(n)
        case .name(let s): return s
        }
    }

    /// The JSON value (a number or a string).
    public var jsonValue: Any {
        switch self {
        case .number(let n): return n
        case .name(let s): return s
        }
    }

    public init?(json: Any?) {
        if let n = json as? Int { self = .number(n) } else if let s = json as? String { self = .name(s) } else { return nil }
    }

    public static func < (a: ImageID, b: ImageID) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x < y
        case (.number, .name): return true
        case (.name, .number): return false
        case (.name(let x), .name(let y)): return x < y
        }
    }
}

/// One image of a set: its id and file.
public struct ImageEntry: Sendable, Equatable {
    public let id: ImageID
    public let path: String

    public init(id: ImageID, path: String) {
        self.id = id
        self.path = path
    }
}

public enum ImageSet {
    static let extensions: Set<String> = ["jpg", "jpeg", "png"]

    /// Every JPEG/PNG in a folder (by extension), sorted by id.
    public static func folder(_ dir: String) throws -> [ImageEntry] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw AtomicFileError(path: dir, reason: "not a folder of images")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir)
            .filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }
        let entries = names.map { name -> ImageEntry in
            let stem = (name as NSString).deletingPathExtension
            let digits = String(stem.reversed().prefix { $0.isASCII && $0.isNumber }.reversed())
            let id: ImageID = digits.isEmpty ? .name(name) : (Int(digits).map { .number($0) } ?? .name(name))
            return ImageEntry(id: id, path: (dir as NSString).appendingPathComponent(name))
        }
        // numbered names must not collide (img_1.jpg and img_01.png); fall back to names if they do
        let ids = entries.map(\.id)
        if Set(ids).count != ids.count {
            return names.map { ImageEntry(id: .name($0), path: (dir as NSString).appendingPathComponent($0)) }.sorted { $0.id < $1.id }
        }
        return entries.sorted { $0.id < $1.id }
    }

    /// A per-image seed from the run's seed and the image id (FNV-1a, then SplitMix64 finalization), so
    /// a result does not depend on sharding, batching or order.
    public static func seed(_ base: UInt64, for id: ImageID) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in id.description.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        var z = h ^ base &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension ImageSet {
    /// The images of a COCO captions annotation file, found in `folder` by their file_name (or, without
    /// one, by the number in a file's name), in the file's order.
    public static func annotated(_ coco: COCOCaptionAnnotations, folder: String) throws -> [ImageEntry] {
        var byID: [ImageID: String]? = nil
        return try coco.images.map { image in
            if let name = image.fileName { return ImageEntry(id: image.id, path: (folder as NSString).appendingPathComponent(name)) }
            if byID == nil { byID = Dictionary(try ImageSet.folder(folder).map { ($0.id, $0.path) }, uniquingKeysWith: { a, _ in a }) }
            return ImageEntry(id: image.id, path: byID?[image.id] ?? (folder as NSString).appendingPathComponent("\(image.id)"))
        }
    }
}
