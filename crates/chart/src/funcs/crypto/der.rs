//! A small DER writer and reader for the handful of structures the crypto functions
//! build and read: keys (PKCS#1, SEC1, PKCS#8, Sprig's DSA layout) and X.509
//! certificates.
//!
//! Our own rather than a crate's because the output must match Go's `encoding/asn1` and
//! `crypto/x509` choices byte for byte (string types, time formats, which fields are
//! omitted) and the reader's failures must surface as Go's error texts.

use rsa::BigUint;

pub(crate) const TAG_BOOLEAN: u8 = 0x01;
pub(crate) const TAG_INTEGER: u8 = 0x02;
pub(crate) const TAG_BIT_STRING: u8 = 0x03;
pub(crate) const TAG_OCTET_STRING: u8 = 0x04;
pub(crate) const TAG_NULL: u8 = 0x05;
pub(crate) const TAG_OID: u8 = 0x06;
pub(crate) const TAG_UTF8_STRING: u8 = 0x0c;
pub(crate) const TAG_PRINTABLE_STRING: u8 = 0x13;
pub(crate) const TAG_UTC_TIME: u8 = 0x17;
pub(crate) const TAG_GENERALIZED_TIME: u8 = 0x18;
pub(crate) const TAG_SEQUENCE: u8 = 0x30;
pub(crate) const TAG_SET: u8 = 0x31;

/// Context-specific constructed tag `[n]` (EXPLICIT wrappers).
pub(crate) const fn context(n: u8) -> u8 {
    0xa0 | n
}

/// One TLV with a definite, minimal length.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// A SEQUENCE of already encoded elements.
pub(crate) fn sequence(parts: &[&[u8]]) -> Vec<u8> {
    tlv(TAG_SEQUENCE, &parts.concat())
}

/// A non-negative INTEGER from its big-endian magnitude.
pub(crate) fn uint_be(magnitude: &[u8]) -> Vec<u8> {
    let skip = magnitude.iter().take_while(|&&b| b == 0).count();
    let mut content = magnitude[skip..].to_vec();
    if content.first().map_or(true, |&b| b & 0x80 != 0) {
        content.insert(0, 0);
    }
    tlv(TAG_INTEGER, &content)
}

pub(crate) fn biguint(n: &BigUint) -> Vec<u8> {
    uint_be(&n.to_bytes_be())
}

pub(crate) fn small_int(n: u64) -> Vec<u8> {
    uint_be(&n.to_be_bytes())
}

pub(crate) fn octet_string(content: &[u8]) -> Vec<u8> {
    tlv(TAG_OCTET_STRING, content)
}

/// A BIT STRING of whole bytes.
pub(crate) fn bit_string(content: &[u8]) -> Vec<u8> {
    bit_string_with_unused(content, 0)
}

pub(crate) fn bit_string_with_unused(content: &[u8], unused: u8) -> Vec<u8> {
    let mut body = vec![unused];
    body.extend_from_slice(content);
    tlv(TAG_BIT_STRING, &body)
}

pub(crate) fn null() -> Vec<u8> {
    vec![TAG_NULL, 0]
}

pub(crate) fn boolean(b: bool) -> Vec<u8> {
    vec![TAG_BOOLEAN, 1, if b { 0xff } else { 0 }]
}

/// An OBJECT IDENTIFIER from its arcs (the first two arcs must be valid).
pub(crate) fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut content = Vec::new();
    let mut push = |mut v: u64| {
        let mut tmp = vec![(v & 0x7f) as u8];
        v >>= 7;
        while v > 0 {
            tmp.push(0x80 | (v & 0x7f) as u8);
            v >>= 7;
        }
        tmp.reverse();
        content.extend_from_slice(&tmp);
    };
    push(arcs[0] * 40 + arcs[1]);
    for &arc in &arcs[2..] {
        push(arc);
    }
    tlv(TAG_OID, &content)
}

/// Reads DER the way Go's `cryptobyte` does: definite minimal lengths only, low tag
/// numbers only; every read either consumes a whole element or fails.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
}

/// One element: its tag, the whole encoding and the content.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Element<'a> {
    pub tag: u8,
    pub full: &'a [u8],
    pub content: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    fn parse(&self) -> Option<(Element<'a>, usize)> {
        let d = self.data;
        let tag = *d.first()?;
        if tag & 0x1f == 0x1f {
            return None;
        }
        let first = *d.get(1)? as usize;
        let (len, header) = if first & 0x80 == 0 {
            (first, 2)
        } else {
            let n = first & 0x7f;
            if n == 0 || n > 4 || d.len() < 2 + n {
                return None;
            }
            let mut len = 0usize;
            for &b in &d[2..2 + n] {
                len = len << 8 | b as usize;
            }
            // Minimal: long form only from 128 and without a leading zero byte.
            if len < 0x80 || d[2] == 0 {
                return None;
            }
            (len, 2 + n)
        };
        let end = header.checked_add(len)?;
        if end > d.len() {
            return None;
        }
        Some((
            Element {
                tag,
                full: &d[..end],
                content: &d[header..end],
            },
            end,
        ))
    }

    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    pub(crate) fn read_any(&mut self) -> Option<Element<'a>> {
        let (el, end) = self.parse()?;
        self.data = &self.data[end..];
        Some(el)
    }

    /// The next element if it has `tag`.
    pub(crate) fn read(&mut self, tag: u8) -> Option<Element<'a>> {
        let (el, end) = self.parse()?;
        if el.tag != tag {
            return None;
        }
        self.data = &self.data[end..];
        Some(el)
    }

    /// An optional element: `Ok(None)` when the next tag differs.
    pub(crate) fn read_optional(&mut self, tag: u8) -> Option<Option<Element<'a>>> {
        if self.peek_tag() != Some(tag) {
            return Some(None);
        }
        self.read(tag).map(Some)
    }

    /// A non-negative or negative INTEGER as its sign and big-endian magnitude, minimal
    /// encoding required.
    pub(crate) fn read_integer(&mut self) -> Option<(bool, &'a [u8])> {
        let el = self.read(TAG_INTEGER)?;
        integer_content(el.content)
    }

    pub(crate) fn read_oid(&mut self) -> Option<&'a [u8]> {
        let el = self.read(TAG_OID)?;
        valid_oid(el.content).then_some(el.content)
    }

    pub(crate) fn read_boolean(&mut self) -> Option<bool> {
        let el = self.read(TAG_BOOLEAN)?;
        match el.content {
            [0] => Some(false),
            [0xff] => Some(true),
            _ => None,
        }
    }

    /// A BIT STRING's bytes (unused bits must be zero, as DER requires).
    pub(crate) fn read_bit_string(&mut self) -> Option<&'a [u8]> {
        let el = self.read(TAG_BIT_STRING)?;
        let (&unused, bytes) = el.content.split_first()?;
        if unused > 7 || (bytes.is_empty() && unused != 0) {
            return None;
        }
        if let Some(&last) = bytes.last() {
            if last & ((1u8 << unused) - 1) != 0 {
                return None;
            }
        }
        Some(bytes)
    }
}

/// Checks an INTEGER's content is minimal and splits off its sign; the magnitude of a
/// negative number is returned undecoded (callers only reject them).
pub(crate) fn integer_content(content: &[u8]) -> Option<(bool, &[u8])> {
    match content {
        [] => None,
        [0, next, ..] if next & 0x80 == 0 => None,
        [0xff, next, ..] if next & 0x80 != 0 => None,
        [first, ..] if first & 0x80 != 0 => Some((true, content)),
        _ => {
            let skip = content
                .iter()
                .take_while(|&&b| b == 0)
                .count()
                .min(content.len() - 1);
            Some((false, &content[skip..]))
        }
    }
}

fn valid_oid(content: &[u8]) -> bool {
    // Non-empty, each arc minimal (no leading 0x80) and terminated.
    if content.is_empty() || content.last().is_some_and(|b| b & 0x80 != 0) {
        return false;
    }
    let mut start = true;
    for &b in content {
        if start && b == 0x80 {
            return false;
        }
        start = b & 0x80 == 0;
    }
    true
}

/// An OID's dotted form, as Go's `ObjectIdentifier.String` prints it.
pub(crate) fn oid_string(content: &[u8]) -> String {
    let mut arcs: Vec<u128> = Vec::new();
    let mut v: u128 = 0;
    for &b in content {
        v = v.saturating_mul(128) | u128::from(b & 0x7f);
        if b & 0x80 == 0 {
            arcs.push(v);
            v = 0;
        }
    }
    let mut parts = Vec::with_capacity(arcs.len() + 1);
    if let Some(&first) = arcs.first() {
        let (a, b) = match first {
            0..=39 => (0, first),
            40..=79 => (1, first - 40),
            _ => (2, first - 80),
        };
        parts.push(a.to_string());
        parts.push(b.to_string());
    }
    parts.extend(arcs.iter().skip(1).map(u128::to_string));
    parts.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_minimal_der() {
        assert_eq!(small_int(0), [2, 1, 0]);
        assert_eq!(small_int(128), [2, 2, 0, 128]);
        assert_eq!(uint_be(&[0, 0, 1]), [2, 1, 1]);
        assert_eq!(oid(&[2, 5, 4, 3]), [6, 3, 0x55, 4, 3]);
        assert_eq!(
            oid(&[1, 2, 840, 113549, 1, 1, 11])[2..],
            [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 11]
        );
        let long = tlv(TAG_OCTET_STRING, &[0; 200]);
        assert_eq!(&long[..3], [4, 0x81, 200]);
        assert_eq!(
            oid_string(&oid(&[1, 2, 840, 10045, 3, 1, 7])[2..]),
            "1.2.840.10045.3.1.7"
        );
    }

    #[test]
    fn reads_strict_der() {
        let data = sequence(&[&small_int(5), &boolean(true)]);
        let mut r = Reader::new(&data);
        let seq = r.read(TAG_SEQUENCE).unwrap();
        assert!(r.is_empty());
        let mut inner = Reader::new(seq.content);
        assert_eq!(inner.read_integer(), Some((false, &[5u8][..])));
        assert_eq!(inner.read_boolean(), Some(true));
        // Non-minimal length and truncated input fail.
        assert!(Reader::new(&[4, 0x81, 1, 0]).read_any().is_none());
        assert!(Reader::new(&[4, 5, 1]).read_any().is_none());
        assert!(Reader::new(&[2, 2, 0, 1]).read_integer().is_none());
    }
}
