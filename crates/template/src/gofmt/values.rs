//! Printing one operand under one verb (Go's `printArg` and `printValue`): picking the
//! formatter for the value's type, walking lists and maps, and the `%!verb(type=value)`
//! reports for verbs a type does not support.

use super::printer::Printer;
use crate::value::{Map, Object, UintType, Value};

/// What `%p` (and `%v` of a function) prints for values that Go shows by address. Go
/// prints a real, run-dependent address; a fixed one keeps our output reproducible.
const FAKE_ADDRESS: u64 = 0xc000010000;

/// Remembers the maps being printed, so a map that contains itself (possible through
/// Sprig's `set`) prints as a marker instead of recursing forever.
#[derive(Default)]
pub(super) struct Path {
    maps: Vec<Map>,
}

impl Printer {
    /// Prints a top-level operand.
    pub fn print_arg(&mut self, arg: &Value, verb: char) {
        match (arg, verb) {
            (Value::Nil, 'T' | 'v') => self.pad(b"<nil>"),
            (Value::Nil, _) => self.bad_verb(verb, arg),
            (_, 'T') => self.fmt_s(arg.type_name().as_bytes()),
            (_, 'p') => self.fmt_pointer(arg, verb),
            (Value::Bytes(bytes), _) => self.fmt_bytes(bytes, verb, "[]byte", &mut Path::default()),
            // `%w` only means something to Errorf; Go rejects composite operands whole.
            (Value::List(_) | Value::Map(_) | Value::Object(_) | Value::Func(_), 'w') => {
                self.bad_verb(verb, arg)
            }
            (Value::Object(object), _) => self.print_object(object.as_ref(), verb, true),
            _ => self.print_value(arg, verb, &mut Path::default()),
        }
    }

    /// Prints a value, top-level or nested in a list or map. A nested `Nil` is a nil
    /// `interface {}` element.
    fn print_value(&mut self, value: &Value, verb: char, path: &mut Path) {
        match value {
            Value::Nil if self.spec.sharp_v => self.write_str("interface {}(nil)"),
            Value::Nil => self.write_str("<nil>"),
            Value::Bool(b) => match verb {
                't' | 'v' => self.fmt_bool(*b),
                _ => self.bad_verb(verb, value),
            },
            Value::Int(n, _) => self.fmt_integer_verb(*n as u64, true, verb, value),
            Value::Uint(n, _) => self.fmt_integer_verb(*n, false, verb, value),
            Value::Float(x) => self.fmt_float_verb(*x, verb, value),
            Value::Complex(re, im) => self.fmt_complex(*re, *im, verb, value),
            Value::String(s) => self.fmt_string(s.as_bytes(), verb, value),
            // Nested byte slices go by their reflected type name.
            Value::Bytes(bytes) => self.fmt_bytes(bytes, verb, "[]uint8", path),
            Value::List(list) => {
                self.print_list(&value.type_name(), list.items(), list.is_nil(), verb, path)
            }
            Value::Map(map) => self.print_map(map, verb, path),
            Value::Object(object) => self.print_object(object.as_ref(), verb, false),
            Value::Func(_) => self.fmt_pointer(value, verb),
        }
    }

    /// A host object as Go's fmt prints it: through `String()` for the string verbs,
    /// field by field for the others (a pointer shows `&` only at the top level; nested,
    /// Go prints its address, which no two runs share, so the text stands in).
    fn print_object(&mut self, object: &dyn Object, verb: char, top_level: bool) {
        let string_verb = matches!(verb, 's' | 'q' | 'v' | 'x' | 'X') && !self.spec.sharp_v;
        if object.is_stringer() && string_verb {
            let text = object.format();
            return self.fmt_string(text.as_bytes(), verb, &Value::from(text.as_str()));
        }
        if let (Some(entries), false) = (object.map_entries(), self.spec.sharp_v) {
            self.write_str("map[");
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    self.write_str(" ");
                }
                self.print_value(&Value::String(key.clone()), verb, &mut Path::default());
                self.write_str(":");
                self.print_value(value, verb, &mut Path::default());
            }
            self.write_str("]");
            return;
        }
        let pointer = object.type_name().starts_with('*');
        match object.struct_fields() {
            Some(fields) if !self.spec.sharp_v && (top_level || !pointer) => {
                if pointer {
                    self.write_str("&");
                }
                self.write_str("{");
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        self.write_str(" ");
                    }
                    self.print_value(field, verb, &mut Path::default());
                }
                self.write_str("}");
            }
            _ => self.write_str(&object.format()),
        }
    }

    /// `[a b c]`, or with `%#v` `type{a, b, c}`, the verb applied to each element.
    fn print_list(
        &mut self,
        type_name: &str,
        items: &[Value],
        nil: bool,
        verb: char,
        path: &mut Path,
    ) {
        let sharp_v = self.spec.sharp_v;
        if sharp_v && nil {
            self.write_str(type_name);
            self.write_str("(nil)");
            return;
        }
        if sharp_v {
            self.write_str(type_name);
            self.write_str("{");
        } else {
            self.write_str("[");
        }
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.write_str(if sharp_v { ", " } else { " " });
            }
            self.print_value(item, verb, path);
        }
        self.write_str(if sharp_v { "}" } else { "]" });
    }

    /// `map[k:v k:v]` in key order, or with `%#v` `map[string]interface {}{"k":v, ...}`,
    /// the verb applied to keys and values.
    fn print_map(&mut self, map: &Map, verb: char, path: &mut Path) {
        if path.maps.iter().any(|outer| outer.ptr_eq(map)) {
            self.write_str("map[<cycle>]");
            return;
        }
        let sharp_v = self.spec.sharp_v;
        if sharp_v && map.is_nil() {
            self.write_str(map.type_name());
            self.write_str("(nil)");
            return;
        }
        if sharp_v {
            self.write_str(map.type_name());
            self.write_str("{");
        } else {
            self.write_str("map[");
        }
        path.maps.push(map.clone());
        // A snapshot: printing runs no template code, but holding the lock is not needed.
        for (i, (key, value)) in map.entries().iter().enumerate() {
            if i > 0 {
                self.write_str(if sharp_v { ", " } else { " " });
            }
            self.fmt_string(key.as_bytes(), verb, &Value::String(key.clone()));
            self.write_str(":");
            self.print_value(value, verb, path);
        }
        path.maps.pop();
        self.write_str(if sharp_v { "}" } else { "]" });
    }

    /// `%!verb(type=value)`, or `%!verb(<nil>)`. The value is printed with `%v` under
    /// the verb's flags, as Go does.
    fn bad_verb(&mut self, verb: char, value: &Value) {
        self.write_str("%!");
        self.write_str(verb.encode_utf8(&mut [0; 4]));
        self.write_str("(");
        if value.is_nil() {
            self.write_str("<nil>");
        } else {
            self.write_str(&value.type_name());
            self.write_str("=");
            self.print_arg(value, 'v');
        }
        self.write_str(")");
    }

    fn fmt_integer_verb(&mut self, bits: u64, signed: bool, verb: char, value: &Value) {
        match verb {
            // `%#v` shows unsigned integers in hex, as Go source would.
            'v' if self.spec.sharp_v && !signed => self.fmt_0x(bits, true),
            'v' | 'd' => self.fmt_integer(bits, 10, signed, verb, false),
            'b' => self.fmt_integer(bits, 2, signed, verb, false),
            'o' | 'O' => self.fmt_integer(bits, 8, signed, verb, false),
            'x' => self.fmt_integer(bits, 16, signed, verb, false),
            'X' => self.fmt_integer(bits, 16, signed, verb, true),
            'c' => self.fmt_c(bits),
            'q' => self.fmt_qc(bits),
            'U' => self.fmt_unicode(bits),
            _ => self.bad_verb(verb, value),
        }
    }

    /// Hex, with or without the `0x` prefix whatever the `#` flag says.
    fn fmt_0x(&mut self, bits: u64, prefix: bool) {
        let sharp = std::mem::replace(&mut self.spec.sharp, prefix);
        self.fmt_integer(bits, 16, false, 'x', false);
        self.spec.sharp = sharp;
    }

    fn fmt_float_verb(&mut self, x: f64, verb: char, value: &Value) {
        match verb {
            'v' => self.fmt_float(x, b'g', -1),
            'b' | 'g' | 'G' | 'x' | 'X' => self.fmt_float(x, verb as u8, -1),
            'f' | 'e' | 'E' => self.fmt_float(x, verb as u8, 6),
            'F' => self.fmt_float(x, b'f', 6),
            _ => self.bad_verb(verb, value),
        }
    }

    /// `(re+imi)`: both parts under the verb, the imaginary one always signed.
    fn fmt_complex(&mut self, re: f64, im: f64, verb: char, value: &Value) {
        if !matches!(
            verb,
            'v' | 'b' | 'g' | 'G' | 'x' | 'X' | 'f' | 'F' | 'e' | 'E'
        ) {
            return self.bad_verb(verb, value);
        }
        self.write_str("(");
        self.fmt_float_verb(re, verb, value);
        let plus = std::mem::replace(&mut self.spec.plus, true);
        self.fmt_float_verb(im, verb, value);
        self.spec.plus = plus;
        self.write_str("i)");
    }

    fn fmt_string(&mut self, s: &[u8], verb: char, value: &Value) {
        match verb {
            'v' if self.spec.sharp_v => self.fmt_q(s),
            'v' | 's' => self.fmt_s(s),
            'x' => self.fmt_sbx(s, false),
            'X' => self.fmt_sbx(s, true),
            'q' => self.fmt_q(s),
            _ => self.bad_verb(verb, value),
        }
    }

    /// A `[]byte`: a string for `%s %q %x %X`, otherwise a list of `uint8`s.
    fn fmt_bytes(&mut self, bytes: &[u8], verb: char, type_name: &str, path: &mut Path) {
        match verb {
            's' => self.fmt_s(bytes),
            'q' => self.fmt_q(bytes),
            'x' => self.fmt_sbx(bytes, false),
            'X' => self.fmt_sbx(bytes, true),
            _ => {
                let items: Vec<Value> = bytes
                    .iter()
                    .map(|&b| Value::Uint(b.into(), UintType::Uint8))
                    .collect();
                // Go spells the type `[]byte` only where it formats the bytes itself.
                let type_name = if matches!(verb, 'v' | 'd') {
                    type_name
                } else {
                    "[]uint8"
                };
                self.print_list(type_name, &items, false, verb, path);
            }
        }
    }

    /// Values Go prints by address: `%p`, and functions under any verb.
    fn fmt_pointer(&mut self, value: &Value, verb: char) {
        let has_address = match value {
            Value::List(_) | Value::Map(_) | Value::Bytes(_) | Value::Func(_) => true,
            Value::Object(object) => object.type_name().starts_with('*'),
            _ => false,
        };
        if !has_address {
            return self.bad_verb(verb, value);
        }
        match verb {
            'v' if self.spec.sharp_v => {
                self.write_str(&format!("({})(", value.type_name()));
                self.fmt_0x(FAKE_ADDRESS, true);
                self.write_str(")");
            }
            'v' | 'p' => self.fmt_0x(FAKE_ADDRESS, !self.spec.sharp),
            'b' | 'o' | 'd' | 'x' | 'X' => self.fmt_integer_verb(FAKE_ADDRESS, false, verb, value),
            _ => self.bad_verb(verb, value),
        }
    }
}
