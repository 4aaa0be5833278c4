/// Merge rules keyed by the ids of the two tokens they join.
struct MergeTable: Sendable {
    /// `left << 32 | right` -> `rank << 32 | result`, packed so lookups hash one integer.
    private var rules: [UInt64: UInt64] = [:]

    /// Number of distinct pairs.
    var count: Int { rules.count }

    init(capacity: Int) {
        rules.reserveCapacity(capacity)
    }

    /// Records a rule; a later rule for the same pair replaces the earlier one, as in HF tokenizers.
    mutating func insert(left: Int32, right: Int32, rank: Int32, result: Int32) {
        rules[Self.key(left, right)] = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: result))
    }

    /// The rank and result of merging `left` then `right`, if a rule exists.
    func lookup(_ left: Int32, _ right: Int32) -> (rank: Int32, result: Int32)? {
        guard let packed = rules[Self.key(left, right)] else { return nil }
        return (Int32(bitPattern: UInt32(truncatingIfNeeded: packed >> 32)),
                Int32(bitPattern: UInt32(truncatingIfNeeded: packed)))
    }

    private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }
}

/// The byte-pair merge loop, a port of HF tokenizers' `Word::merge_all` so results match it
/// exactly, including its tie-breaking (lowest rank first, then leftmost position) and its test
/// for stale queue entries. A min-heap with lazy deletion keeps long words at O(n log n).
enum BPE {
    /// Applies merges to `symbols` (token ids, one per byte) until none applies.
    static func merge(_ symbols: [Int32], using merges: MergeTable) -> [Int32] {
        let count = symbols.count
        if count < 2 { return symbols }
        if count == 2 {
            if let rule = merges.lookup(symbols[0], symbols[1]) { return [rule.result] }
            return symbols
        }

        var ids = symbols
        var previous = (0..<count).map { Int32($0) - 1 }
        var next = (0..<count).map { $0 + 1 < count ? Int32($0 + 1) : -1 }
        var removed = [Bool](repeating: false, count: count)
        var queue = MergeQueue()
        for position in 0..<(count - 1) {
            if let rule = merges.lookup(ids[position], ids[position + 1]) {
                queue.push(rank: rule.rank, position: Int32(position), result: rule.result)
            }
        }

        while let top = queue.pop() {
            let position = Int(top.position)
            if removed[position] { continue }
            let rightIndex = Int(next[position])
            if rightIndex < 0 { continue }
            // An entry is stale if the pair at its position no longer merges into the same token.
            guard let current = merges.lookup(ids[position], ids[rightIndex]),
                  current.result == top.result else { continue }

            ids[position] = top.result
            removed[rightIndex] = true
            let after = next[rightIndex]
            next[position] = after
            if after >= 0 { previous[Int(after)] = Int32(position) }

            let before = previous[position]
            if before >= 0, let rule = merges.lookup(ids[Int(before)], ids[position]) {
                queue.push(rank: rule.rank, position: before, result: rule.result)
            }
            if after >= 0, let rule = merges.lookup(ids[position], ids[Int(after)]) {
                queue.push(rank: rule.rank, position: Int32(position), result: rule.result)
            }
        }

        // Position 0 is never removed (merges keep the left symbol), so walk the list from it.
        var output: [Int32] = []
        output.reserveCapacity(count)
        var index: Int32 = 0
        while index >= 0 {
            output.append(ids[Int(index)])
            index = next[Int(index)]
        }
        return output
    }
}

/// A binary min-heap of candidate merges ordered by (rank, position).
struct MergeQueue {
    /// `rank << 32 | position`, so integer order is the merge order.
    private var keys: [UInt64] = []
    /// The token each entry's merge produces, kept alongside its key.
    private var results: [Int32] = []

    /// Adds a candidate merge.
    mutating func push(rank: Int32, position: Int32, result: Int32) {
        keys.append(UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: position)))
        results.append(result)
        var child = keys.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if keys[parent] <= keys[child] { break }
            keys.swapAt(parent, child)
            results.swapAt(parent, child)
            child = parent
        }
    }

    /// Removes and returns the candidate with the lowest rank, leftmost first.
    mutating func pop() -> (position: Int32, result: Int32)? {
        guard let firstKey = keys.first, let firstResult = results.first else { return nil }
        let lastKey = keys.removeLast()
        let lastResult = results.removeLast()
        if !keys.isEmpty {
            keys[0] = lastKey
            results[0] = lastResult
            var parent = 0
            while true {
                let left = 2 * parent + 1
                if left >= keys.count { break }
                let right = left + 1
                let smaller = right < keys.count && keys[right] < keys[left] ? right : left
                if keys[parent] <= keys[smaller] { break }
                keys.swapAt(parent, smaller)
                results.swapAt(parent, smaller)
                parent = smaller
            }
        }
        return (Int32(bitPattern: UInt32(truncatingIfNeeded: firstKey)), firstResult)
    }
}
