//! Go's `sort.Sort` (pattern-defeating quicksort, Go 1.19 and later), step for step.
//!
//! go-yaml orders mapping keys with a comparison that is not a strict weak order (for
//! `a10`, `a1b` and `a2` it says `a10 < a1b < a2 < a10`), so for such keys the result
//! depends on the exact comparisons and swaps of the sorting algorithm, and on the
//! starting order. Go starts from its randomized map order, so Helm itself varies from
//! run to run there; sorting exactly as Go does at least yields one of the orders Helm
//! can produce (the one for keys starting out sorted), and never panics the way Rust's
//! sort may on an inconsistent comparison.

type Idx = isize;

struct Data<'a, T> {
    items: &'a mut [T],
    less: &'a dyn Fn(&T, &T) -> bool,
}

impl<T> Data<'_, T> {
    fn less(&self, i: Idx, j: Idx) -> bool {
        (self.less)(&self.items[i as usize], &self.items[j as usize])
    }

    fn swap(&mut self, i: Idx, j: Idx) {
        self.items.swap(i as usize, j as usize);
    }
}

/// Sorts `items` with `less` exactly as Go's `sort.Sort` would.
pub(crate) fn sort<T>(items: &mut [T], less: &dyn Fn(&T, &T) -> bool) {
    let n = items.len() as Idx;
    if n <= 1 {
        return;
    }
    let limit = bits_len(n as u64) as Idx;
    let mut data = Data { items, less };
    pdqsort(&mut data, 0, n, limit);
}

/// Go's `bits.Len`: the number of bits needed to represent `x`.
fn bits_len(x: u64) -> u32 {
    64 - x.leading_zeros()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Hint {
    Unknown,
    Increasing,
    Decreasing,
}

fn insertion_sort<T>(data: &mut Data<T>, a: Idx, b: Idx) {
    for i in a + 1..b {
        let mut j = i;
        while j > a && data.less(j, j - 1) {
            data.swap(j, j - 1);
            j -= 1;
        }
    }
}

fn sift_down<T>(data: &mut Data<T>, lo: Idx, hi: Idx, first: Idx) {
    let mut root = lo;
    loop {
        let mut child = 2 * root + 1;
        if child >= hi {
            return;
        }
        if child + 1 < hi && data.less(first + child, first + child + 1) {
            child += 1;
        }
        if !data.less(first + root, first + child) {
            return;
        }
        data.swap(first + root, first + child);
        root = child;
    }
}

fn heap_sort<T>(data: &mut Data<T>, a: Idx, b: Idx) {
    let first = a;
    let hi = b - a;
    let mut i = (hi - 1) / 2;
    while i >= 0 {
        sift_down(data, i, hi, first);
        i -= 1;
    }
    let mut i = hi - 1;
    while i >= 0 {
        data.swap(first, first + i);
        sift_down(data, 0, i, first);
        i -= 1;
    }
}

fn pdqsort<T>(data: &mut Data<T>, mut a: Idx, mut b: Idx, mut limit: Idx) {
    const MAX_INSERTION: Idx = 12;
    let mut was_balanced = true;
    let mut was_partitioned = true;
    loop {
        let length = b - a;
        if length <= MAX_INSERTION {
            insertion_sort(data, a, b);
            return;
        }
        if limit == 0 {
            heap_sort(data, a, b);
            return;
        }
        if !was_balanced {
            break_patterns(data, a, b);
            limit -= 1;
        }
        let (mut pivot, mut hint) = choose_pivot(data, a, b);
        if hint == Hint::Decreasing {
            reverse_range(data, a, b);
            pivot = (b - 1) - (pivot - a);
            hint = Hint::Increasing;
        }
        if was_balanced
            && was_partitioned
            && hint == Hint::Increasing
            && partial_insertion_sort(data, a, b)
        {
            return;
        }
        if a > 0 && !data.less(a - 1, pivot) {
            a = partition_equal(data, a, b, pivot);
            continue;
        }
        let (mid, already_partitioned) = partition(data, a, b, pivot);
        was_partitioned = already_partitioned;
        let (left_len, right_len) = (mid - a, b - mid);
        let balance_threshold = length / 8;
        if left_len < right_len {
            was_balanced = left_len >= balance_threshold;
            pdqsort(data, a, mid, limit);
            a = mid + 1;
        } else {
            was_balanced = right_len >= balance_threshold;
            pdqsort(data, mid + 1, b, limit);
            b = mid;
        }
    }
}

fn partition<T>(data: &mut Data<T>, a: Idx, b: Idx, pivot: Idx) -> (Idx, bool) {
    data.swap(a, pivot);
    let (mut i, mut j) = (a + 1, b - 1);
    while i <= j && data.less(i, a) {
        i += 1;
    }
    while i <= j && !data.less(j, a) {
        j -= 1;
    }
    if i > j {
        data.swap(j, a);
        return (j, true);
    }
    data.swap(i, j);
    i += 1;
    j -= 1;
    loop {
        while i <= j && data.less(i, a) {
            i += 1;
        }
        while i <= j && !data.less(j, a) {
            j -= 1;
        }
        if i > j {
            break;
        }
        data.swap(i, j);
        i += 1;
        j -= 1;
    }
    data.swap(j, a);
    (j, false)
}

fn partition_equal<T>(data: &mut Data<T>, a: Idx, b: Idx, pivot: Idx) -> Idx {
    data.swap(a, pivot);
    let (mut i, mut j) = (a + 1, b - 1);
    loop {
        while i <= j && !data.less(a, i) {
            i += 1;
        }
        while i <= j && data.less(a, j) {
            j -= 1;
        }
        if i > j {
            break;
        }
        data.swap(i, j);
        i += 1;
        j -= 1;
    }
    i
}

fn partial_insertion_sort<T>(data: &mut Data<T>, a: Idx, b: Idx) -> bool {
    const MAX_STEPS: usize = 5;
    const SHORTEST_SHIFTING: Idx = 50;
    let mut i = a + 1;
    for _ in 0..MAX_STEPS {
        while i < b && !data.less(i, i - 1) {
            i += 1;
        }
        if i == b {
            return true;
        }
        if b - a < SHORTEST_SHIFTING {
            return false;
        }
        data.swap(i, i - 1);
        if i - a >= 2 {
            let mut j = i - 1;
            while j >= 1 {
                if !data.less(j, j - 1) {
                    break;
                }
                data.swap(j, j - 1);
                j -= 1;
            }
        }
        if b - i >= 2 {
            let mut j = i + 1;
            while j < b {
                if !data.less(j, j - 1) {
                    break;
                }
                data.swap(j, j - 1);
                j += 1;
            }
        }
    }
    false
}

fn break_patterns<T>(data: &mut Data<T>, a: Idx, b: Idx) {
    let length = b - a;
    if length >= 8 {
        // Go's xorshift, seeded with the length.
        let mut random = length as u64;
        let modulus = 1u64 << bits_len(length as u64);
        let mut idx = a + (length / 4) * 2 - 1;
        while idx <= a + (length / 4) * 2 + 1 {
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
            let mut other = (random & (modulus - 1)) as Idx;
            if other >= length {
                other -= length;
            }
            data.swap(idx, a + other);
            idx += 1;
        }
    }
}

fn choose_pivot<T>(data: &mut Data<T>, a: Idx, b: Idx) -> (Idx, Hint) {
    const SHORTEST_NINTHER: Idx = 50;
    const MAX_SWAPS: usize = 4 * 3;
    let l = b - a;
    let mut swaps = 0usize;
    let mut i = a + l / 4;
    let mut j = a + l / 4 * 2;
    let mut k = a + l / 4 * 3;
    if l >= 8 {
        if l >= SHORTEST_NINTHER {
            i = median(data, i - 1, i, i + 1, &mut swaps);
            j = median(data, j - 1, j, j + 1, &mut swaps);
            k = median(data, k - 1, k, k + 1, &mut swaps);
        }
        j = median(data, i, j, k, &mut swaps);
    }
    match swaps {
        0 => (j, Hint::Increasing),
        MAX_SWAPS => (j, Hint::Decreasing),
        _ => (j, Hint::Unknown),
    }
}

fn order2<T>(data: &Data<T>, a: Idx, b: Idx, swaps: &mut usize) -> (Idx, Idx) {
    if data.less(b, a) {
        *swaps += 1;
        return (b, a);
    }
    (a, b)
}

fn median<T>(data: &Data<T>, a: Idx, b: Idx, c: Idx, swaps: &mut usize) -> Idx {
    let (a, b) = order2(data, a, b, swaps);
    let (b, _) = order2(data, b, c, swaps);
    let (_, b) = order2(data, a, b, swaps);
    b
}

fn reverse_range<T>(data: &mut Data<T>, a: Idx, b: Idx) {
    let (mut i, mut j) = (a, b - 1);
    while i < j {
        data.swap(i, j);
        i += 1;
        j -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_consistent_orders() {
        let mut v: Vec<u32> = (0..200).map(|i| (i * 7919) % 211).collect();
        sort(&mut v, &|a, b| a < b);
        assert!(v.windows(2).all(|w| w[0] <= w[1]));
        let mut v: Vec<u32> = (0..100).rev().collect();
        sort(&mut v, &|a, b| a < b);
        assert_eq!(v, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn survives_inconsistent_orders() {
        let mut v: Vec<u32> = (0..500).collect();
        sort(&mut v, &|a, b| (a * 31 + b) % 3 == 0);
        assert_eq!(v.len(), 500);
    }
}
