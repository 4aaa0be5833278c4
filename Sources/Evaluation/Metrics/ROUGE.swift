// ROUGE-L as pycocoevalcap/rouge/rouge.py computes it: per image, the LCS precision and recall
// against each reference, the maximum precision and the maximum recall (possibly from different
// references), then F with beta = 1.2; the corpus score is the mean over images.
import Foundation

/// Corpus and per-image ROUGE-L.
struct ROUGELScores: Sendable, Equatable {
    /// Mean ROUGE-L F over images, in [0, 1].
    let mean: Double
    /// Per-image ROUGE-L F, in the order images were given.
    let perImage: [Double]
}

enum ROUGEL {
    /// `self.beta**2` in the reference: Python's float power, which is C `pow`.
    private static let betaSquared = pow(1.2, 2.0)

    static func score(candidates: [String], references: [[String]]) -> ROUGELScores {
        let interner = TokenInterner()
        let perImage = zip(candidates, references).map { candidate, refs in
            score(candidate: PythonText.splitSpaces(candidate).map(interner.id),
                  references: refs.map { PythonText.splitSpaces($0).map(interner.id) })
        }
        return ROUGELScores(mean: NumPy.mean(perImage), perImage: perImage)
    }

    /// `Rouge.calc_score` on token ids. Tokens come from `split(" ")`, so an empty caption is one
    /// empty token (and matches an empty reference).
    static func score(candidate candidateTokens: [Int], references: [[Int]]) -> Double {
        var bestPrecision = -Double.infinity, bestRecall = -Double.infinity
        for referenceTokens in references {
            let lcs = Double(longestCommonSubsequence(referenceTokens, candidateTokens))
            bestPrecision = max(bestPrecision, lcs / Double(candidateTokens.count))
            bestRecall = max(bestRecall, lcs / Double(referenceTokens.count))
        }
        guard bestPrecision != 0, bestRecall != 0, !references.isEmpty else { return 0 }
        return ((1 + betaSquared) * bestPrecision * bestRecall) / (bestRecall + betaSquared * bestPrecision)
    }

    /// Length of the longest common subsequence of two token lists (`my_lcs`), in O(n·m) time and O(m) memory.
    static func longestCommonSubsequence(_ a: [Int], _ b: [Int]) -> Int {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        var previous = [Int](repeating: 0, count: b.count + 1)
        var current = previous
        for i in 1...a.count {
            for j in 1...b.count {
                current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : max(previous[j], current[j - 1])
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
