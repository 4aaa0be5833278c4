import ArgumentParser
import Foundation
import GGUF

extension Glimpse {
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a GGUF file's metadata and tensors (like gguf-dump).",
            discussion: "Example: glimpse inspect model.gguf --json")

        @Argument(help: "GGUF file.")
        var file: String

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() throws {
            let g = try GGUFFile(path: file)
            if json {
                let meta = g.metadata.map { ["key": $0.key, "type": "\($0.value.type)", "value": Self.jsonValue($0.value)] as [String: Any] }
                let tensors = g.tensorInfos.map {
                    ["name": $0.name, "type": $0.type.description, "shape": $0.shape, "offset": $0.offset, "bytes": $0.byteCount] as [String: Any]
                }
                CLI.emit(CLI.json(["version": Int(g.version), "alignment": g.alignment, "metadata": meta, "tensors": tensors] as [String: Any]) + "\n")
                return
            }
            print("\(file): GGUF v\(g.version), \(g.metadata.count) metadata keys, \(g.tensorInfos.count) tensors, \(g.fileSize) bytes")
            for (key, value) in g.metadata { print("  \(key) = \(Self.summary(value))") }
            for t in g.tensorInfos { print("  \(t.name)  \(t.type)  \(t.shape)") }
        }

        static func summary(_ v: GGUFValue) -> String {
            if case .array(let type, let items) = v {
                return "[\(type) x \(items.count)] " + items.prefix(5).map { summary($0) }.joined(separator: ", ") + (items.count > 5 ? ", ..." : "")
            }
            if let s = v.stringValue { return String(reflecting: s) }
            return "\(jsonValue(v))"
        }

        static func jsonValue(_ v: GGUFValue) -> Any {
            switch v {
            case .string(let s): return s
            case .bool(let b): return b
            case .float32(let f): return Double(f)
            case .float64(let d): return d
            case .array(_, let items): return items.map { jsonValue($0) }
            default: return v.intValue ?? 0
            }
        }
    }
}
