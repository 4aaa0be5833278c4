// Thompson NFA plus a lazily built DFA for LexPattern. Several patterns can share one automaton,
// each tagged with its rule index: scanning then gives JFlex's rule choice (longest match, and the
// earliest rule among equally long ones) in one pass over the input.

/// An immutable NFA whose accepting states carry the index of the pattern they finish.
struct LexNFA: Sendable {
    private(set) var classes: [CodeUnitClass] = []
    /// For state i: the class index consumed (or -1 for none) and the state it leads to.
    private(set) var edgeClass: [Int32] = []
    private(set) var edgeTarget: [Int32] = []
    private(set) var epsilons: [[Int32]] = []
    /// The pattern index a state accepts, or -1.
    private(set) var acceptTag: [Int32] = []
    private(set) var start: Int32 = 0

    /// One automaton recognising any of `patterns`; a match of `patterns[i]` is tagged `i`.
    init(_ patterns: [LexPattern]) {
        let root = newState()
        start = root
        for (tag, pattern) in patterns.enumerated() {
            let (entry, exit) = build(pattern)
            epsilons[Int(root)].append(entry)
            acceptTag[Int(exit)] = Int32(tag)
        }
    }

    private mutating func newState() -> Int32 {
        edgeClass.append(-1)
        edgeTarget.append(-1)
        epsilons.append([])
        acceptTag.append(-1)
        return Int32(edgeClass.count - 1)
    }

    private mutating func link(_ from: Int32, _ to: Int32) { epsilons[Int(from)].append(to) }

    private mutating func build(_ pattern: LexPattern) -> (Int32, Int32) {
        switch pattern {
        case .unit(let cls):
            let entry = newState(), exit = newState()
            classes.append(cls)
            edgeClass[Int(entry)] = Int32(classes.count - 1)
            edgeTarget[Int(entry)] = exit
            return (entry, exit)
        case .sequence(let items):
            let entry = newState()
            var tail = entry
            for item in items {
                let (s, e) = build(item)
                link(tail, s)
                tail = e
            }
            return (entry, tail)
        case .choice(let options):
            let entry = newState(), exit = newState()
            for option in options {
                let (s, e) = build(option)
                link(entry, s)
                link(e, exit)
            }
            return (entry, exit)
        case .star(let inner):
            let entry = newState(), exit = newState()
            let (s, e) = build(inner)
            link(entry, s); link(entry, exit); link(e, s); link(e, exit)
            return (entry, exit)
        case .plus(let inner):
            let exit = newState()
            let (s, e) = build(inner)
            link(e, s); link(e, exit)
            return (s, exit)
        case .optional(let inner):
            let entry = newState(), exit = newState()
            let (s, e) = build(inner)
            link(entry, s); link(entry, exit); link(e, exit)
            return (entry, exit)
        case .bounded(let inner, let low, let high):
            let copies = Array(repeating: inner, count: low)
                + Array(repeating: LexPattern.optional(inner), count: max(0, high - low))
            return build(.sequence(copies))
        }
    }

    func consumes(_ state: Int32, _ unit: UInt16) -> Int32? {
        let cls = edgeClass[Int(state)]
        guard cls >= 0, classes[Int(cls)].contains(unit) else { return nil }
        return edgeTarget[Int(state)]
    }
}

/// Subset construction on demand over a ``LexNFA``. Not thread-safe: one per tokenizer.
final class LexDFA {
    private let nfa: LexNFA
    private var sets: [[Int32]] = []
    private var ids: [[Int32]: Int32] = [:]
    /// Smallest pattern tag accepted by each DFA state, or -1.
    private var tags: [Int32] = []
    /// Cached transitions: -2 = not computed yet, -1 = dead.
    private var asciiNext: [[Int32]] = []
    private var otherNext: [[UInt16: Int32]] = []
    private var mark: [Int] = []
    private var generation = 0

    init(_ nfa: LexNFA) {
        self.nfa = nfa
        mark = Array(repeating: 0, count: nfa.edgeClass.count)
        _ = intern(closure([nfa.start]))
    }

    /// The longest match starting at `start`: its end (exclusive) and the smallest tag accepting there.
    func longestMatch(in text: [UInt16], from start: Int) -> (end: Int, tag: Int)? {
        var state: Int32 = 0
        var best: (Int, Int)? = tags[0] >= 0 ? (start, Int(tags[0])) : nil
        var position = start
        while position < text.count {
            state = step(state, text[position])
            if state < 0 { break }
            position += 1
            if tags[Int(state)] >= 0 { best = (position, Int(tags[Int(state)])) }
        }
        return best.map { (end: $0.0, tag: $0.1) }
    }

    /// Every end position `e` in `start...limit` such that `text[start..<e]` is matched.
    func acceptingEnds(in text: [UInt16], from start: Int, upTo limit: Int) -> [Int] {
        var state: Int32 = 0
        var ends = tags[0] >= 0 ? [start] : []
        var position = start
        while position < limit {
            state = step(state, text[position])
            if state < 0 { break }
            position += 1
            if tags[Int(state)] >= 0 { ends.append(position) }
        }
        return ends
    }

    private func step(_ state: Int32, _ unit: UInt16) -> Int32 {
        let s = Int(state)
        if unit < 128 {
            let cached = asciiNext[s][Int(unit)]
            if cached != -2 { return cached }
        } else if let cached = otherNext[s][unit] {
            return cached
        }
        var targets: [Int32] = []
        for nfaState in sets[s] {
            if let target = nfa.consumes(nfaState, unit) { targets.append(target) }
        }
        let next = targets.isEmpty ? -1 : intern(closure(targets))
        if unit < 128 { asciiNext[s][Int(unit)] = next } else { otherNext[s][unit] = next }
        return next
    }

    private func closure(_ seeds: [Int32]) -> [Int32] {
        generation += 1
        var stack = seeds
        var result: [Int32] = []
        while let state = stack.popLast() {
            if mark[Int(state)] == generation { continue }
            mark[Int(state)] = generation
            result.append(state)
            stack.append(contentsOf: nfa.epsilons[Int(state)])
        }
        // Only consuming and accepting states distinguish DFA states.
        return result.filter { nfa.edgeClass[Int($0)] >= 0 || nfa.acceptTag[Int($0)] >= 0 }.sorted()
    }

    private func intern(_ set: [Int32]) -> Int32 {
        if let id = ids[set] { return id }
        let id = Int32(sets.count)
        sets.append(set)
        ids[set] = id
        tags.append(set.compactMap { nfa.acceptTag[Int($0)] >= 0 ? nfa.acceptTag[Int($0)] : nil }.min() ?? -1)
        asciiNext.append(Array(repeating: -2, count: 128))
        otherNext.append([:])
        return id
    }
}
