//! A small multiply-rotate hasher (the "Fx" scheme rustc uses) for the scanner's maps
//! of token numbers, which SipHash made a visible share of scanning time.
//!
//! Only for keys the input cannot choose freely: token numbers are small integers the
//! scanner hands out in order. Maps keyed by text from the document (anchors, mapping
//! keys) keep std's randomly keyed SipHash, so a hostile values file cannot make them
//! degrade by choosing colliding keys.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// 2^64 divided by the golden ratio, made odd: spreads consecutive integers apart.
const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

#[derive(Clone, Copy, Default)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` hashed with [`FxHasher`].
pub(crate) type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_numbers_hash_apart() {
        let hash = |n: usize| {
            let mut h = FxHasher::default();
            h.write_usize(n);
            h.finish()
        };
        let hashes: std::collections::HashSet<u64> = (0..1000).map(hash).collect();
        assert_eq!(hashes.len(), 1000);
        // hashbrown picks buckets from the low bits and tags from the top seven.
        let tops: std::collections::HashSet<u64> = (0..1000).map(|n| hash(n) >> 57).collect();
        assert!(tops.len() > 64);
    }

    #[test]
    fn map_works() {
        let mut m: FxHashMap<usize, usize> = FxHashMap::default();
        for i in 0..100 {
            m.insert(i * 7, i);
        }
        assert_eq!(m.get(&21), Some(&3));
        assert_eq!(m.remove(&700), None);
        assert_eq!(m.len(), 100);
    }
}
