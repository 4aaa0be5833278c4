// BLEU as pycocoevalcap/bleu/bleu_scorer.py computes it (BleuScorer.compute_score with
// option="closest"): corpus-level clipped n-gram precisions, the reference length closest to
// each candidate, and its smoothing constants tiny = 1e-15 and small = 1e-9.
import Foundation

/// BLEU-1...4 for a corpus, plus the per-image values pycocoevalcap reports alongside.
struct BLEUScores: Sendable, Equatable {
    /// Corpus BLEU-1...BLEU-4 (index 0 is BLEU-1), in [0, 1].
    let corpus: [Double]
    /// Per-image BLEU-1...4, in the order images were given.
    let perImage: [[Double]]
    /// Total candidate length, in tokens.
    let candidateLength: Int
    /// Total effective (closest) reference length, in tokens; below `candidateLength` no brevity penalty applies.
    let referenceLength: Int
}

enum BLEU {
    static let maxN = 4
    private static let tiny = 1e-15
    private static let small = 1e-9

    /// One image's sufficient statistics (`cook_test` in the reference).
    private struct Cooked {
        let testLength: Int
        let referenceLength: Int
        let guess: [Int]
        let correct: [Int]
    }

    /// - Parameters:
    ///   - candidates: one tokenized candidate per image (tokens separated by spaces).
    ///   - references: the tokenized references of the same images, at least one each.
    static func score(candidates: [String], references: [[String]]) -> BLEUScores {
        let interner = TokenInterner()
        let cooked = zip(candidates, references).map {
            cook(candidate: interner.words($0), references: $1.map(interner.words))
        }
        var perImage: [[Double]] = []
        var totalGuess = [Int](repeating: 0, count: maxN)
        var totalCorrect = [Int](repeating: 0, count: maxN)
        var testLength = 0, referenceLength = 0
        for image in cooked {
            testLength += image.testLength
            referenceLength += image.referenceLength
            for k in 0..<maxN {
                totalGuess[k] += image.guess[k]
                totalCorrect[k] += image.correct[k]
            }
            perImage.append(bleu(correct: image.correct, guess: image.guess,
                                 testLength: image.testLength, referenceLength: image.referenceLength))
        }
        let corpus = bleu(correct: totalCorrect, guess: totalGuess, testLength: testLength, referenceLength: referenceLength)
        return BLEUScores(corpus: corpus, perImage: perImage, candidateLength: testLength, referenceLength: referenceLength)
    }

    private static func cook(candidate words: [Int], references: [[Int]]) -> Cooked {
        var referenceLengths: [Int] = []
        var maxCounts: [[Int]: Int] = [:]
        for words in references {
            referenceLengths.append(words.count)
            for (gram, count) in NGramCounts(words: words, maxN: maxN).counts {
                maxCounts[gram] = max(maxCounts[gram] ?? 0, count)
            }
        }
        let testLength = words.count
        // "closest": smallest |ref - test|, ties going to the shorter reference.
        let closest = referenceLengths.min { (abs($0 - testLength), $0) < (abs($1 - testLength), $1) } ?? 0
        var correct = [Int](repeating: 0, count: maxN)
        for (gram, count) in NGramCounts(words: words, maxN: maxN).counts {
            correct[gram.count - 1] += min(maxCounts[gram] ?? 0, count)
        }
        let guess = (1...maxN).map { max(0, testLength - $0 + 1) }
        return Cooked(testLength: testLength, referenceLength: closest, guess: guess, correct: correct)
    }

    /// The reference's running product of smoothed precisions, its k-th root, and the brevity penalty.
    private static func bleu(correct: [Int], guess: [Int], testLength: Int, referenceLength: Int) -> [Double] {
        var product = 1.0
        var scores: [Double] = []
        for k in 0..<maxN {
            product *= (Double(correct[k]) + tiny) / (Double(guess[k]) + small)
            scores.append(pow(product, 1.0 / Double(k + 1)))
        }
        let ratio = (Double(testLength) + tiny) / (Double(referenceLength) + small)
        if ratio < 1 {
            let penalty = exp(1 - 1 / ratio)
            scores = scores.map { $0 * penalty }
        }
        return scores
    }
}
