//! Sprig's network functions: `urlParse`, `urlJoin` and `getHostByName`.
//!
//! `urlParse` and `urlJoin` are Go's `net/url` (`url.Parse`, `URL.String`) as Go 1.26
//! builds Helm v4: its parsing rules and error texts, including the checks Go added late
//! (a colon in a host must start a numeric port, and brackets may only hold an IPv6
//! address, checked as `netip.ParseAddr` checks it). Sprig turns every failure into a
//! panic, which Go's template engine reports as the function's error.
//!
//! Go strings are bytes: a percent-escape can decode to bytes that are not UTF-8
//! (`%ff`). Template strings here are UTF-8, so such bytes come out as U+FFFD, where Helm
//! would write the raw byte.
//!
//! `getHostByName` asks the environment's [`HostResolver`](super::HostResolver); the
//! default resolves nothing and answers `""`, as Helm does without `--enable-dns`.

use std::sync::Arc;

use helmpilot_template::{gofmt, Error, Function, Functions, GoType, Map, Signature, Value};

use super::FunctionEnv;

pub(super) fn register(funcs: &mut Functions, env: &Arc<FunctionEnv>) {
    // urlParse(v string) map[string]interface{}
    funcs.insert(
        "urlParse",
        Function::new(Signature::fixed(&[GoType::String]), |_, args| {
            let raw = args[0].as_str().unwrap_or_default();
            let url =
                parse(raw).map_err(|e| Error::function(format!("unable to parse url: {e}")))?;
            Ok(Value::Map(url.to_dict()))
        }),
    );
    // urlJoin(d map[string]interface{}) string
    funcs.insert(
        "urlJoin",
        Function::new(Signature::fixed(&[GoType::Map]), |_, args| match &args[0] {
            Value::Map(dict) => url_join(dict).map(Value::from),
            // The signature guarantees a map.
            _ => Ok(Value::from("")),
        }),
    );
    // getHostByName(name string) string
    let resolver_env = env.clone();
    funcs.insert(
        "getHostByName",
        Function::new(Signature::fixed(&[GoType::String]), move |_, args| {
            let name = args[0].as_str().unwrap_or_default();
            Ok(Value::from(resolver_env.host_resolver.resolve(name)))
        }),
    );
}

/// Sprig's `urlJoin`: a URL from the parts `urlParse` returns; a missing part is empty.
fn url_join(dict: &Map) -> Result<String, Error> {
    let part = |key: &str| -> Result<Vec<u8>, Error> {
        match dict.get(key) {
            None => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(s.as_bytes().to_vec()),
            // Sprig asks reflect for the kind of a nil interface, which panics.
            Some(Value::Nil) => Err(Error::function(
                "runtime error: invalid memory address or nil pointer dereference",
            )),
            Some(other) => Err(Error::function(format!(
                "unable to parse {key} key, must be of type string, but {} found",
                other.kind_name()
            ))),
        }
    };
    // Go evaluates the parts in this order, so the first bad one is reported.
    let mut url = Url {
        scheme: part("scheme")?,
        host: part("host")?,
        path: part("path")?,
        raw_query: part("query")?,
        opaque: part("opaque")?,
        fragment: part("fragment")?,
        ..Url::default()
    };
    let userinfo = part("userinfo")?;
    if !userinfo.is_empty() {
        // Sprig parses the userinfo inside a whole URL to decode it.
        let text = format!("proto://{}@host", String::from_utf8_lossy(&userinfo));
        url.user = parse(&text)
            .map_err(|e| Error::function(format!("unable to parse userinfo in dict: {e}")))?
            .user;
    }
    Ok(lossy(url.encode()))
}

fn lossy(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Go's `url.Userinfo`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Userinfo {
    username: Vec<u8>,
    password: Option<Vec<u8>>,
}

impl Userinfo {
    /// `Userinfo.String`: `user[:password]`, escaped.
    fn encode(&self) -> Vec<u8> {
        let mut out = escape(&self.username, Mode::UserPassword);
        if let Some(password) = &self.password {
            out.push(b':');
            out.extend(escape(password, Mode::UserPassword));
        }
        out
    }
}

/// Go's `url.URL`, as far as Sprig uses it. Byte strings, as Go's strings are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Url {
    scheme: Vec<u8>,
    opaque: Vec<u8>,
    user: Option<Userinfo>,
    host: Vec<u8>,
    path: Vec<u8>,
    raw_path: Vec<u8>,
    force_query: bool,
    raw_query: Vec<u8>,
    fragment: Vec<u8>,
    raw_fragment: Vec<u8>,
}

impl Url {
    /// The dict `urlParse` returns.
    fn to_dict(&self) -> Map {
        let dict = Map::new();
        let put = |key: &str, bytes: &[u8]| {
            dict.insert(key, Value::from(lossy(bytes.to_vec())));
        };
        put("scheme", &self.scheme);
        put("host", &self.host);
        put("hostname", self.hostname());
        put("path", &self.path);
        put("query", &self.raw_query);
        put("opaque", &self.opaque);
        put("fragment", &self.fragment);
        put(
            "userinfo",
            &self.user.as_ref().map(Userinfo::encode).unwrap_or_default(),
        );
        dict
    }

    /// `URL.Hostname`: the host without a valid port and without IPv6 brackets.
    fn hostname(&self) -> &[u8] {
        let mut host = &self.host[..];
        if let Some(colon) = host.iter().rposition(|&b| b == b':') {
            if valid_optional_port(&host[colon..]) {
                host = &host[..colon];
            }
        }
        match host {
            [b'[', inner @ .., b']'] => inner,
            _ => host,
        }
    }

    /// `URL.EscapedPath`: the raw path when it is a valid encoding of the path.
    fn escaped_path(&self) -> Vec<u8> {
        if !self.raw_path.is_empty() && valid_encoded(&self.raw_path, Mode::Path) {
            if let Ok(p) = unescape(&self.raw_path, Mode::Path) {
                if p == self.path {
                    return self.raw_path.clone();
                }
            }
        }
        if self.path == b"*" {
            return self.path.clone();
        }
        escape(&self.path, Mode::Path)
    }

    /// `URL.EscapedFragment`.
    fn escaped_fragment(&self) -> Vec<u8> {
        if !self.raw_fragment.is_empty() && valid_encoded(&self.raw_fragment, Mode::Fragment) {
            if let Ok(f) = unescape(&self.raw_fragment, Mode::Fragment) {
                if f == self.fragment {
                    return self.raw_fragment.clone();
                }
            }
        }
        escape(&self.fragment, Mode::Fragment)
    }

    /// `URL.String`.
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if !self.scheme.is_empty() {
            out.extend_from_slice(&self.scheme);
            out.push(b':');
        }
        if !self.opaque.is_empty() {
            out.extend_from_slice(&self.opaque);
        } else {
            if !self.scheme.is_empty() || !self.host.is_empty() || self.user.is_some() {
                if !self.host.is_empty() || !self.path.is_empty() || self.user.is_some() {
                    out.extend_from_slice(b"//");
                }
                if let Some(user) = &self.user {
                    out.extend(user.encode());
                    out.push(b'@');
                }
                out.extend(escape(&self.host, Mode::Host));
            }
            let path = self.escaped_path();
            if path.first().is_some_and(|&b| b != b'/') && !self.host.is_empty() {
                out.push(b'/');
            }
            // A first segment with a colon would read as a scheme (RFC 3986 §4.2).
            if out.is_empty() && first_segment(&path).contains(&b':') {
                out.extend_from_slice(b"./");
            }
            out.extend(path);
        }
        if self.force_query || !self.raw_query.is_empty() {
            out.push(b'?');
            out.extend_from_slice(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            out.push(b'#');
            out.extend(self.escaped_fragment());
        }
        out
    }
}

fn first_segment(path: &[u8]) -> &[u8] {
    path.split(|&b| b == b'/').next().unwrap_or_default()
}

/// Go's `url.Parse`; the error is `url.Error`'s text (`parse "URL": reason`).
fn parse(raw: &str) -> Result<Url, String> {
    let (without_fragment, fragment) = match raw.split_once('#') {
        Some((u, f)) => (u, Some(f)),
        None => (raw, None),
    };
    let quoted = |s: &str| gofmt::quote(s);
    let mut url = parse_reference(without_fragment.as_bytes())
        .map_err(|e| format!("parse {}: {e}", quoted(without_fragment)))?;
    if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
        let f = fragment.as_bytes();
        url.fragment =
            unescape(f, Mode::Fragment).map_err(|e| format!("parse {}: {e}", quoted(raw)))?;
        if escape(&url.fragment, Mode::Fragment) != f {
            url.raw_fragment = f.to_vec();
        }
    }
    Ok(url)
}

/// Go's `parse(rawURL, viaRequest=false)`: everything but the fragment.
fn parse_reference(raw: &[u8]) -> Result<Url, String> {
    if raw.iter().any(|&b| b < b' ' || b == 0x7f) {
        return Err("net/url: invalid control character in URL".to_string());
    }
    let mut url = Url::default();
    if raw == b"*" {
        url.path = b"*".to_vec();
        return Ok(url);
    }
    let (scheme, mut rest) = split_scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();

    if rest.ends_with(b"?") && rest.iter().filter(|&&b| b == b'?').count() == 1 {
        url.force_query = true;
        rest = &rest[..rest.len() - 1];
    } else if let Some(q) = rest.iter().position(|&b| b == b'?') {
        url.raw_query = rest[q + 1..].to_vec();
        rest = &rest[..q];
    }

    if !rest.starts_with(b"/") {
        if !url.scheme.is_empty() {
            // A rootless path after a scheme is opaque (RFC 3986).
            url.opaque = rest.to_vec();
            return Ok(url);
        }
        if first_segment(rest).contains(&b':') {
            return Err("first path segment in URL cannot contain colon".to_string());
        }
    }

    if (!url.scheme.is_empty() || !rest.starts_with(b"///")) && rest.starts_with(b"//") {
        let authority = &rest[2..];
        let end = authority
            .iter()
            .position(|&b| b == b'/')
            .unwrap_or(authority.len());
        let (user, host) = parse_authority(&authority[..end])?;
        url.user = user;
        url.host = host;
        rest = &authority[end..];
    }
    url.path = unescape(rest, Mode::Path)?;
    if escape(&url.path, Mode::Path) != rest {
        url.raw_path = rest.to_vec();
    }
    Ok(url)
}

/// `getScheme`: `[a-zA-Z][a-zA-Z0-9+.-]*:`, or no scheme.
fn split_scheme(raw: &[u8]) -> Result<(&[u8], &[u8]), String> {
    for (i, &c) in raw.iter().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err("missing protocol scheme".to_string()),
            b':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok((&[], raw)),
        }
    }
    Ok((&[], raw))
}

fn parse_authority(authority: &[u8]) -> Result<(Option<Userinfo>, Vec<u8>), String> {
    let at = authority.iter().rposition(|&b| b == b'@');
    let host = parse_host(&authority[at.map_or(0, |i| i + 1)..])?;
    let Some(at) = at else {
        return Ok((None, host));
    };
    let userinfo = &authority[..at];
    if !valid_userinfo(userinfo) {
        return Err("net/url: invalid userinfo".to_string());
    }
    let user = match userinfo.iter().position(|&b| b == b':') {
        None => Userinfo {
            username: unescape(userinfo, Mode::UserPassword)?,
            password: None,
        },
        Some(colon) => Userinfo {
            username: unescape(&userinfo[..colon], Mode::UserPassword)?,
            password: Some(unescape(&userinfo[colon + 1..], Mode::UserPassword)?),
        },
    };
    Ok((Some(user), host))
}

/// `parseHost`: `host[:port]` or `[ipv6[%25zone]][:port]`, unescaped.
fn parse_host(host: &[u8]) -> Result<Vec<u8>, String> {
    if host.starts_with(b"[") {
        let Some(close) = host.iter().rposition(|&b| b == b']') else {
            return Err("missing ']' in host".to_string());
        };
        let colon_port = &host[close + 1..];
        if !valid_optional_port(colon_port) {
            return Err(format!(
                "invalid port {} after host",
                quote_bytes(colon_port)
            ));
        }
        // RFC 6874: `%25` starts a zone, which may escape more than a host may.
        let (literal, unescaped) = match find(&host[..close], b"%25") {
            Some(zone) => {
                let address = unescape(&host[..zone], Mode::Host)?;
                let zone = unescape(&host[zone..close], Mode::Zone)?;
                let tail = unescape(&host[close..], Mode::Host)?;
                let literal = [&address[1..], &zone[..]].concat();
                (literal, [address, zone, tail].concat())
            }
            None => {
                let literal = unescape(&host[1..close], Mode::Host)?;
                (literal, unescape(host, Mode::Host)?)
            }
        };
        // Only an IPv6 address may stand in brackets (RFC 3986).
        match parse_addr(&literal) {
            Ok(IpKind::V4) => Err("invalid IP-literal".to_string()),
            Ok(IpKind::V6) => Ok(unescaped),
            Err(e) => Err(format!("invalid host: {e}")),
        }
    } else {
        if host.contains(&b'[') {
            return Err("invalid IP-literal".to_string());
        }
        // Go 1.26 is strict: the first colon must start the port.
        if let Some(colon) = host.iter().position(|&b| b == b':') {
            if !valid_optional_port(&host[colon..]) {
                return Err(format!(
                    "invalid port {} after host",
                    quote_bytes(&host[colon..])
                ));
            }
        }
        unescape(host, Mode::Host)
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Empty, or a colon and digits.
fn valid_optional_port(port: &[u8]) -> bool {
    match port.split_first() {
        None => true,
        Some((b':', digits)) => digits.iter().all(u8::is_ascii_digit),
        Some(_) => false,
    }
}

/// RFC 3986 userinfo characters (escapes are checked when unescaping).
fn valid_userinfo(s: &[u8]) -> bool {
    // Non-ASCII bytes are never valid: Go checks runes, and none of them is allowed.
    s.iter().all(|&c| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'-' | b'.'
                    | b'_'
                    | b':'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'%'
                    | b'@'
            )
    })
}

/// The part of a URL a string is escaped or unescaped for (Go's `encoding`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Path,
    Host,
    Zone,
    UserPassword,
    Fragment,
}

/// Go's `shouldEscape`.
fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if matches!(mode, Mode::Host | Mode::Zone)
        && matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        )
    {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => {
            return match mode {
                Mode::Path => c == b'?',
                Mode::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
                Mode::Fragment => false,
                // Host and zone: the remaining reserved characters are escaped.
                Mode::Host | Mode::Zone => true,
            };
        }
        _ => {}
    }
    if mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*') {
        return false;
    }
    true
}

/// Go's `escape`: `%XX` for every byte the mode does not allow.
fn escape(s: &[u8], mode: Mode) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(s.len());
    for &c in s {
        if should_escape(c, mode) {
            out.extend_from_slice(&[b'%', HEX[usize::from(c >> 4)], HEX[usize::from(c & 15)]]);
        } else {
            out.push(c);
        }
    }
    out
}

/// Go's `validEncoded`: nothing in `s` would be escaped again.
fn valid_encoded(s: &[u8], mode: Mode) -> bool {
    s.iter().all(|&c| {
        matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
                | b'['
                | b']'
                | b'%'
        ) || !should_escape(c, mode)
    })
}

fn unhex(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

/// Go's `unescape`, with its errors: malformed escapes, escapes of ASCII in hosts (only
/// `%25` and non-ASCII may be escaped there), zone escapes of bytes a host may not hold,
/// and characters a host may not hold at all.
fn unescape(s: &[u8], mode: Mode) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'%' => {
                if i + 2 >= s.len()
                    || !s[i + 1].is_ascii_hexdigit()
                    || !s[i + 2].is_ascii_hexdigit()
                {
                    let bad = &s[i..s.len().min(i + 3)];
                    return Err(format!("invalid URL escape {}", quote_bytes(bad)));
                }
                let escaped = &s[i..i + 3];
                let byte = unhex(s[i + 1]) << 4 | unhex(s[i + 2]);
                let percent = escaped == b"%25";
                let bad_host = mode == Mode::Host && unhex(s[i + 1]) < 8 && !percent;
                let bad_zone = mode == Mode::Zone
                    && !percent
                    && byte != b' '
                    && should_escape(byte, Mode::Host);
                if bad_host || bad_zone {
                    return Err(format!("invalid URL escape {}", quote_bytes(escaped)));
                }
                out.push(byte);
                i += 3;
            }
            c => {
                if matches!(mode, Mode::Host | Mode::Zone) && c < 0x80 && should_escape(c, mode) {
                    return Err(format!(
                        "invalid character {} in host name",
                        quote_bytes(&[c])
                    ));
                }
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Go's `strconv.Quote` of a byte string: invalid UTF-8 bytes as `\xNN`.
fn quote_bytes(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for chunk in bytes.utf8_chunks() {
        let quoted = gofmt::quote(chunk.valid());
        out.push_str(&quoted[1..quoted.len() - 1]);
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.push('"');
    out
}

/// What `netip.ParseAddr` found.
#[derive(Debug, PartialEq, Eq)]
enum IpKind {
    V4,
    V6,
}

/// Go's `netip.ParseAddr`, for its verdict and its error text.
fn parse_addr(s: &[u8]) -> Result<IpKind, String> {
    let error = |msg: &str, at: Option<&[u8]>| {
        let mut text = format!("ParseAddr({}): {msg}", quote_bytes(s));
        // Go leaves out an empty position.
        if let Some(at) = at.filter(|at| !at.is_empty()) {
            text.push_str(&format!(" (at {})", quote_bytes(at)));
        }
        text
    };
    for &c in s {
        match c {
            b'.' => {
                return parse_ipv4_fields(s)
                    .map(|()| IpKind::V4)
                    .map_err(|(m, at)| error(m, at))
            }
            b':' => {
                return parse_ipv6(s)
                    .map(|()| IpKind::V6)
                    .map_err(|(m, at)| error(m, at))
            }
            b'%' => return Err(error("missing IPv6 address", None)),
            _ => {}
        }
    }
    Err(error("unable to parse IP", None))
}

type AddrError<'a> = (&'static str, Option<&'a [u8]>);

/// `parseIPv4Fields` on `part` (the whole input, or the end of an IPv6 address).
fn parse_ipv4_fields(part: &[u8]) -> Result<(), AddrError<'_>> {
    let (mut value, mut fields, mut digits) = (0u32, 0, 0);
    for (i, &c) in part.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                if digits == 1 && value == 0 {
                    return Err(("IPv4 field has octet with leading zero", None));
                }
                value = value * 10 + u32::from(c - b'0');
                digits += 1;
                if value > 255 {
                    return Err(("IPv4 field has value >255", None));
                }
            }
            b'.' => {
                if i == 0 || i == part.len() - 1 || part[i - 1] == b'.' {
                    return Err(("IPv4 field must have at least one digit", Some(&part[i..])));
                }
                if fields == 3 {
                    return Err(("IPv4 address too long", None));
                }
                fields += 1;
                value = 0;
                digits = 0;
            }
            _ => return Err(("unexpected character", Some(&part[i..]))),
        }
    }
    if fields < 3 {
        return Err(("IPv4 address too short", None));
    }
    Ok(())
}

/// `parseIPv6`: groups of up to four hex digits, one `::`, an optional embedded IPv4
/// address at the end and an optional `%zone`.
fn parse_ipv6(input: &[u8]) -> Result<(), AddrError<'_>> {
    let mut s = input;
    if let Some(percent) = s.iter().position(|&b| b == b'%') {
        if percent + 1 == s.len() {
            return Err(("zone must be a non-empty string", None));
        }
        s = &s[..percent];
    }
    let mut filled = 0; // bytes of the 16 filled so far
    let mut ellipsis = false;
    if s.starts_with(b"::") {
        ellipsis = true;
        s = &s[2..];
        if s.is_empty() {
            return Ok(());
        }
    }
    while filled < 16 {
        let mut digits = 0;
        let mut acc = 0u32;
        while digits < s.len() && s[digits].is_ascii_hexdigit() {
            acc = (acc << 4) + u32::from(unhex(s[digits]));
            digits += 1;
            if digits > 4 {
                return Err(("each group must have 4 or less digits", Some(s)));
            }
            if acc > 0xffff {
                return Err(("IPv6 field has value >=2^16", Some(s)));
            }
        }
        if digits == 0 {
            return Err((
                "each colon-separated field must have at least one digit",
                Some(s),
            ));
        }
        if s.get(digits) == Some(&b'.') {
            if !ellipsis && filled != 12 {
                return Err((
                    "embedded IPv4 address must replace the final 2 fields of the address",
                    Some(s),
                ));
            }
            if filled + 4 > 16 {
                return Err((
                    "too many hex fields to fit an embedded IPv4 at the end of the address",
                    Some(s),
                ));
            }
            parse_ipv4_fields(s)?;
            s = &[];
            filled += 4;
            break;
        }
        filled += 2;
        s = &s[digits..];
        if s.is_empty() {
            break;
        }
        if s[0] != b':' {
            return Err(("unexpected character, want colon", Some(s)));
        }
        if s.len() == 1 {
            return Err(("colon must be followed by more characters", Some(s)));
        }
        s = &s[1..];
        if s[0] == b':' {
            if ellipsis {
                return Err(("multiple :: in address", Some(s)));
            }
            ellipsis = true;
            s = &s[1..];
            if s.is_empty() {
                break;
            }
        }
    }
    if !s.is_empty() {
        return Err(("trailing garbage after address", Some(s)));
    }
    if filled < 16 && !ellipsis {
        return Err(("address string too short", None));
    }
    if filled == 16 && ellipsis {
        return Err(("the :: must expand to at least one field of zeros", Some(s)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(raw: &str) -> String {
        lossy(parse(raw).unwrap().encode())
    }

    #[test]
    fn parses_and_prints_like_go() {
        assert_eq!(
            round_trip("http://u:p@h:80/a%20b?q=1#f"),
            "http://u:p@h:80/a%20b?q=1#f"
        );
        assert_eq!(round_trip("http://x/a%2fb"), "http://x/a%2fb");
        assert_eq!(round_trip("a:b/c"), "a:b/c");
        let url = parse("http://[fe80::1%25en0]:8080/").unwrap();
        assert_eq!(url.host, b"[fe80::1%en0]:8080");
        assert_eq!(url.hostname(), b"fe80::1%en0");
    }

    #[test]
    fn errors_like_go() {
        let cases = [
            ("http://[::1", "parse \"http://[::1\": missing ']' in host"),
            ("http://h:1:2/", "parse \"http://h:1:2/\": invalid port \":1:2\" after host"),
            ("http://[1.2.3.4]/", "parse \"http://[1.2.3.4]/\": invalid IP-literal"),
            (
                "http://[::1::2]/",
                "parse \"http://[::1::2]/\": invalid host: ParseAddr(\"::1::2\"): multiple :: in address (at \":2\")",
            ),
            ("http://[1:2]/", "parse \"http://[1:2]/\": invalid host: ParseAddr(\"1:2\"): address string too short"),
            ("%zz", "parse \"%zz\": invalid URL escape \"%zz\""),
            ("x#%", "parse \"x#%\": invalid URL escape \"%\""),
        ];
        for (raw, expected) in cases {
            assert_eq!(parse(raw).unwrap_err(), expected, "{raw}");
        }
    }

    #[test]
    fn ip_addresses() {
        assert_eq!(parse_addr(b"::ffff:1.2.3.4"), Ok(IpKind::V6));
        assert_eq!(parse_addr(b"1:2:3:4:5:6:7:8"), Ok(IpKind::V6));
        assert_eq!(parse_addr(b"1.2.3.4"), Ok(IpKind::V4));
        assert!(parse_addr(b"1:2:3:4:5:6:7::8").is_err());
        assert!(parse_addr(b"1:2:3:4:5:6:1.2.3.4").is_ok());
        assert!(parse_addr(b"01.2.3.4").is_err());
    }
}
