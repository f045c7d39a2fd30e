import Foundation
import NightjarCore

/// Maps a sticky key (a user id, a session) onto a split so the same key keeps its version, and a
/// change of weights moves as few keys as possible.
///
/// Weighted rendezvous hashing: each version draws a uniform `u` from hash(key, version) and scores
/// `-ln(u) / weight`; the lowest score wins. A version wins with probability weight / total, and
/// raising one version's weight (or lowering the others') only improves that version's score, so
/// keys only ever move *to* the versions that gained. Going 5% → 10% moves about 5% of the keys, all
/// of them onto the version that grew.
public enum StickyHash {
    /// The version for `key`, among versions with a positive weight; nil when none has one.
    public static func version(for key: String, weights: [TrafficWeight]) -> SemVer? {
        var best: (version: SemVer, score: Double)?
        for w in weights where w.weight > 0 {
            let u = unitInterval(hash(key, w.version.description))
            let score = -log(u) / Double(w.weight)
            if let current = best, current.score < score || (current.score == score && current.version < w.version) {
                continue
            }
            best = (w.version, score)
        }
        return best?.version
    }

    /// FNV-1a over the key, a separator and the version, then SplitMix64's finaliser for avalanche.
    /// Stable across processes and machines (unlike Swift's seeded `Hasher`), so gateway replicas agree.
    static func hash(_ key: String, _ salt: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        h = (h ^ 0x1f) &* 0x0000_0100_0000_01b3
        for byte in salt.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        h ^= h >> 30
        h = h &* 0xbf58_476d_1ce4_e5b9
        h ^= h >> 27
        h = h &* 0x94d0_49bb_1331_11eb
        h ^= h >> 31
        return h
    }

    /// The top 53 bits as a double in (0, 1): never 0, so the logarithm stays finite.
    static func unitInterval(_ h: UInt64) -> Double {
        (Double(h >> 11) + 0.5) / Double(UInt64(1) << 53)
    }
}
