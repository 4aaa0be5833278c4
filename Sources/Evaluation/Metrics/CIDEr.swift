// CIDEr-D as pycocoevalcap/cider/cider_scorer.py computes it (the class pycocoevalcap calls
// "Cider"): TF-IDF vectors of 1..4-grams with document frequencies taken from the references of
// the evaluated images, candidate weights clipped by the reference's (`min(vec_hyp, vec_ref)`),
// a Gaussian length penalty with sigma = 6, the mean over n, over references, times 10.
import Foundation

/// Corpus and per-image CIDEr-D.
struct CIDErScores: Sendable, Equatable {
    /// Mean CIDEr-D over images (0 to 10 in principle, typically 0 to ~1.5 for good captioners).
    let mean: Double
    /// Per-image CIDEr-D, in the order images were given.
    let perImage: [Double]
}

enum CIDErD {
    static let maxN = 4
    static let sigma = 6.0

    /// A caption's TF-IDF vector, split by n-gram length, in the reference's insertion order.
    private struct Vector {
        var weights: [[Int]: Double] = [:]
        var order: [[[Int]]] = []
        var norms: [Double] = []
        /// The reference's "length": it counts bigrams (`if n == 1`), not words.
        var length = 0
    }

    /// - Parameters:
    ///   - candidates: one tokenized candidate per image.
    ///   - references: each image's tokenized references (at least one).
    static func score(candidates: [String], references: [[String]]) -> CIDErScores {
        let interner = TokenInterner()
        let candidateCounts = candidates.map { NGramCounts(words: interner.words($0), maxN: maxN) }
        let referenceCounts = references.map { refs in
            refs.map { NGramCounts(words: interner.words($0), maxN: maxN) }
        }
        // Document frequency: in how many images' reference sets each n-gram occurs.
        var documentFrequency: [[Int]: Double] = [:]
        for refs in referenceCounts {
            var seen = Set<[Int]>()
            for counts in refs { seen.formUnion(counts.counts.keys) }
            for gram in seen { documentFrequency[gram, default: 0] += 1 }
        }
        let logImageCount = log(Double(references.count))

        func vector(_ counts: NGramCounts) -> Vector {
            var result = Vector(order: counts.order, norms: Array(repeating: 0, count: maxN))
            for n in 0..<maxN {
                for gram in counts.order[n] {
                    let termFrequency = counts.counts[gram] ?? 0
                    let idf = logImageCount - log(max(1.0, documentFrequency[gram] ?? 0))
                    let weight = Double(termFrequency) * idf
                    result.weights[gram] = weight
                    result.norms[n] += pow(weight, 2)
                    if n == 1 { result.length += termFrequency }
                }
            }
            result.norms = result.norms.map { $0.squareRoot() }
            return result
        }

        var perImage: [Double] = []
        for (candidate, refs) in zip(candidateCounts, referenceCounts) {
            let hypothesis = vector(candidate)
            var total = [Double](repeating: 0, count: maxN)
            for reference in refs.map(vector) {
                let similarity = similarity(hypothesis, reference)
                for n in 0..<maxN { total[n] += similarity[n] }
            }
            var score = NumPy.mean(total)
            score /= Double(refs.count)
            score *= 10.0
            perImage.append(score)
        }
        return CIDErScores(mean: NumPy.mean(perImage), perImage: perImage)
    }

    /// Clipped cosine similarity per n-gram length, times the Gaussian length penalty (`sim`).
    private static func similarity(_ hypothesis: Vector, _ reference: Vector) -> [Double] {
        let delta = Double(hypothesis.length - reference.length)
        var values = [Double](repeating: 0, count: maxN)
        for n in 0..<maxN {
            for gram in hypothesis.order[n] {
                let mine = hypothesis.weights[gram] ?? 0
                let theirs = reference.weights[gram] ?? 0
                values[n] += min(mine, theirs) * theirs
            }
            if hypothesis.norms[n] != 0, reference.norms[n] != 0 {
                values[n] /= hypothesis.norms[n] * reference.norms[n]
            }
            values[n] *= pow(M_E, -(delta * delta) / (2 * sigma * sigma))
        }
        return values
    }
}
