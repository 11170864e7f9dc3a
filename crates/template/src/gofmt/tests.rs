//! Expected outputs are Go's: each case was rendered through Helm's `printf`, `print` and
//! `println` and compared with ours. The few behaviours Go leaves unspecified or
//! run-dependent (addresses, host objects, self-containing maps) are ours, tested last.

use super::*;
use crate::value::{Callable, IntType, List, Map, Member, Object, UintType};
use std::sync::Arc;

fn check(format: &str, args: &[Value], expected: &str) {
    assert_eq!(
        sprintf(format, args),
        expected,
        "sprintf({format:?}, {args:?})"
    );
}

fn int(n: i64) -> Value {
    Value::Int(n, IntType::Int)
}

fn int64(n: i64) -> Value {
    Value::Int(n, IntType::Int64)
}

fn float(x: f64) -> Value {
    Value::Float(x)
}

fn s(text: &str) -> Value {
    Value::from(text)
}

fn list(items: Vec<Value>) -> Value {
    Value::List(List::new(items))
}

fn strings(items: &[&str]) -> Value {
    Value::List(List::strings(items.iter().copied()))
}

fn dict(entries: Vec<(&str, Value)>) -> Value {
    let map = Map::new();
    for (key, value) in entries {
        map.insert(key, value);
    }
    Value::Map(map)
}

fn bytes(data: impl AsRef<[u8]>) -> Value {
    Value::Bytes(Arc::from(data.as_ref()))
}

#[test]
fn integer_verbs() {
    check("%d", &[int(42)], "42");
    check("%d", &[int(-42)], "-42");
    check(
        "%5d|%-5d|%05d",
        &[int(42), int(42), int(42)],
        "   42|42   |00042",
    );
    check(
        "%+d|% d|%+d|% d",
        &[int(5), int(5), int(-5), int(-5)],
        "+5| 5|-5|-5",
    );
    check(
        "%x|%X|%#x|%#X",
        &[int(255), int(255), int(255), int(255)],
        "ff|FF|0xff|0XFF",
    );
    check("%x|%#x", &[int(-255), int(-255)], "-ff|-0xff");
    check(
        "%o|%#o|%O|%#O",
        &[int(8), int(8), int(8), int(8)],
        "10|010|0o10|0o010",
    );
    check("%b|%#b|%b", &[int(5), int(5), int(-5)], "101|0b101|-101");
    check(
        "%08.3d|%.3d|%8.3x|%-8.3d|",
        &[int(7), int(-7), int(255), int(7)],
        "     007|-007|     0ff|007     |",
    );
    check(
        "%#08x|%08x|%-#8x|",
        &[int(255), int(-255), int(255)],
        "0x000000ff|-00000ff|0xff    |",
    );
    check(
        "%+08d|% 08d|%08d",
        &[int(3), int(3), int(-3)],
        "+0000003| 0000003|-0000003",
    );
    check(
        "%.0d|%5.0d|%-3.0d|",
        &[int(0), int(0), int(0)],
        "|     |   |",
    );
    check(
        "%c|%c|%c|%5c|%-5c|",
        &[int(65), int(128512), int(1114112), int(97), int(97)],
        "A|😀|�|    a|a    |",
    );
    check(
        "%q|%q|%q|%+q|%#q",
        &[int(97), int(10), int(128512), int(128512), int(39)],
        r"'a'|'\n'|'😀'|'\U0001f600'|'\''",
    );
    check(
        "%q|%q|%q",
        &[int(92), int(127), int(128)],
        r"'\\'|'\x7f'|'\u0080'",
    );
    check(
        "%U|%#U|%#U|%.6U|%10U|%-10U|",
        &[int(97), int(128512), int(10), int(97), int(97), int(97)],
        "U+0061|U+1F600 '😀'|U+000A|U+000061|    U+0061|U+0061    |",
    );
    check(
        "%#U|%#.5U|%#10U",
        &[int(65), int(65), int(65)],
        "U+0041 'A'|U+00041 'A'|U+0041 'A'",
    );
    check(
        "%v|%#v|%+v",
        &[int64(-9223372036854775807), int64(12), int64(12)],
        "-9223372036854775807|12|12",
    );
    check(
        "%d|%x",
        &[int64(9223372036854775807), int64(-9223372036854775807)],
        "9223372036854775807|-7fffffffffffffff",
    );
    check("%T|%T", &[int(1), int64(1)], "int|int64");
    check(
        "%s|%f|%t|%e",
        &[int(1), int(2), int(3), int(4)],
        "%!s(int=1)|%!f(int=2)|%!t(int=3)|%!e(int=4)",
    );
    check("%z", &[int(1)], "%!z(int=1)");
    check("%!", &[int(1)], "%!!(int=1)");
}

#[test]
fn string_verbs() {
    check(
        "%s|%v|%10s|%-10s|%.2s|%5.1s|",
        &[
            s("hello"),
            s("hello"),
            s("hello"),
            s("hello"),
            s("hello"),
            s("hello"),
        ],
        "hello|hello|     hello|hello     |he|    h|",
    );
    check(
        "%q|%+q|%#q|%#q|%#+q",
        &[s("héllo\n"), s("héllo\n"), s(r#"a"b"#), s("a`b"), s("é")],
        r#""héllo\n"|"h\u00e9llo\n"|`a"b`|"a`b"|`é`"#,
    );
    check(
        "%q",
        &[s("\u{7}\u{8}\u{c}\n\r\t\u{b}\u{0}\u{1f}\u{7f}")],
        r#""\a\b\f\n\r\t\v\x00\x1f\x7f""#,
    );
    check(
        "%q|%+q",
        &[s("\u{ad}\u{200b}\u{feff}"), s("😀")],
        r#""\u00ad\u200b\ufeff"|"\U0001f600""#,
    );
    check(
        "%#q|%#q|%#q",
        &[s("tab\there"), s("nl\nhere"), s("\u{feff}")],
        "`tab\there`|\"nl\\nhere\"|\"\\ufeff\"",
    );
    check(
        "%x|%X|% x|%#x|% #x|%#X",
        &[s("hi!"), s("hi!"), s("hi!"), s("hi!"), s("hi!"), s("hi!")],
        "686921|686921|68 69 21|0x686921|0x68 0x69 0x21|0X686921",
    );
    check(
        "%.2x|%10x|%-10x|%010x|",
        &[s("hello"), s("hi"), s("hi"), s("hi")],
        "6865|      6869|6869      |0000006869|",
    );
    check(
        "[%x][%5x][%-5x][% x]",
        &[s(""), s(""), s(""), s("")],
        "[][     ][     ][]",
    );
    check(
        "%.1q|%8q|%-8q|%08q|",
        &[s("héllo"), s("a"), s("a"), s("a")],
        r#""h"|     "a"|"a"     |00000"a"|"#,
    );
    check(
        "%s|%.3s|%5s",
        &[s("日本語ですね"), s("日本語ですね"), s("日本")],
        "日本語ですね|日本語|   日本",
    );
    check(
        "%d|%c|%t",
        &[s("s"), s("s"), s("s")],
        "%!d(string=s)|%!c(string=s)|%!t(string=s)",
    );
    check("%T", &[s("s")], "string");
    check(
        "%05s|%-05s|%05v",
        &[s("ab"), s("ab"), s("ab")],
        "000ab|ab   |000ab",
    );
}

#[test]
fn bool_verbs() {
    check(
        "%t|%v|%6t|%-6v|",
        &[
            Value::Bool(true),
            Value::Bool(false),
            Value::Bool(true),
            Value::Bool(false),
        ],
        "true|false|  true|false |",
    );
    check(
        "%d|%s|%q",
        &[Value::Bool(true), Value::Bool(false), Value::Bool(true)],
        "%!d(bool=true)|%!s(bool=false)|%!q(bool=true)",
    );
    check("%T", &[Value::Bool(false)], "bool");
}

#[test]
fn float_verbs() {
    check(
        "%v|%v|%v|%v|%v",
        &[
            float(1.0),
            float(1.5),
            float(-2.25),
            float(0.1),
            float(100.0),
        ],
        "1|1.5|-2.25|0.1|100",
    );
    check(
        "%v|%v|%v|%v",
        &[float(1e6), float(1e5), float(123456.0), float(1234567.0)],
        "1e+06|100000|123456|1.234567e+06",
    );
    check(
        "%v|%v|%v|%v",
        &[float(0.0001), float(0.00001), float(1e-7), float(1.5e-10)],
        "0.0001|1e-05|1e-07|1.5e-10",
    );
    check(
        "%v|%v|%v",
        &[float(1e20), float(1e21), float(1.7976931348623157e308)],
        "1e+20|1e+21|1.7976931348623157e+308",
    );
    check(
        "%v|%v",
        &[float(5e-324), float(2.2250738585072014e-308)],
        "5e-324|2.2250738585072014e-308",
    );
    check(
        "%g|%G|%e|%E|%f|%F",
        &[
            float(1234.5678),
            float(1234.5678),
            float(1234.5678),
            float(1234.5678),
            float(1234.5678),
            float(1234.5678),
        ],
        "1234.5678|1234.5678|1.234568e+03|1.234568E+03|1234.567800|1234.567800",
    );
    check(
        "%.2f|%.0f|%.1f|%.3f",
        &[float(3.14158), float(3.5), float(0.05), float(2.0005)],
        "3.14|4|0.1|2.001",
    );
    check(
        "%.0f|%.0f|%.0f|%.0f|%.0f",
        &[float(0.5), float(1.5), float(2.5), float(3.5), float(-0.5)],
        "0|2|2|4|-0",
    );
    check(
        "%.1f|%.1f|%.2f|%.2f",
        &[float(0.25), float(0.35), float(1.005), float(1.015)],
        "0.2|0.3|1.00|1.01",
    );
    check(
        "%8.3f|%-8.3f|%08.3f|%+.2f|% .2f|",
        &[
            float(3.14158),
            float(3.14158),
            float(-3.14158),
            float(3.0),
            float(3.0),
        ],
        "   3.142|3.142   |-003.142|+3.00| 3.00|",
    );
    check(
        "%e|%.2e|%10.3e|%-12.2E|",
        &[
            float(123456.789),
            float(0.000123),
            float(1e100),
            float(-5e-300),
        ],
        "1.234568e+05|1.23e-04|1.000e+100|-5.00E-300  |",
    );
    check(
        "%g|%.3g|%.10g|%.1g|%.0g",
        &[
            float(123456789.0),
            float(123456789.0),
            float(123456789.0),
            float(0.15),
            float(2.5),
        ],
        "1.23456789e+08|1.23e+08|123456789|0.1|2",
    );
    check(
        "%g|%g|%g|%g",
        &[
            float(100000.0),
            float(1000000.0),
            float(0.0001),
            float(0.00001),
        ],
        "100000|1e+06|0.0001|1e-05",
    );
    check(
        "%.3g|%.3g|%.3g|%.4g",
        &[float(1.0), float(100.0), float(1e-5), float(12345.0)],
        "1|100|1e-05|1.234e+04",
    );
    check(
        "%#g|%#.3g|%#.0f|%#.0e|%#g|%#g",
        &[
            float(1.0),
            float(2.0),
            float(3.0),
            float(4.0),
            float(123456789.0),
            float(0.0001),
        ],
        "1.00000|2.00|3.|4.e+00|1.23456789e+08|0.000100000",
    );
    check(
        "%#v|%#v|%#v|%#v",
        &[float(1.0), float(1e6), float(0.5), float(-3.0)],
        "1|1e+06|0.5|-3",
    );
    check(
        "%+v|% v|%+.1f|%+e",
        &[float(1.5), float(1.5), float(-1.0), float(0.0)],
        "1.5| 1.5|-1.0|+0.000000e+00",
    );
    check(
        "%5.1f|%-7.2f|%07.2f|%+07.2f|",
        &[float(-1.0), float(2.5), float(-2.5), float(2.5)],
        " -1.0|2.50   |-002.50|+002.50|",
    );
    check(
        "%x|%X|%.2x|%#x|%x",
        &[
            float(1.5),
            float(-1.5),
            float(3.14158),
            float(2.0),
            float(0.1),
        ],
        "0x1.8p+00|-0X1.8P+00|0x1.92p+01|0x1.0000p+01|0x1.999999999999ap-04",
    );
    check(
        "%x|%x|%.0x|%.1x",
        &[
            float(5e-324),
            float(1.7976931348623157e308),
            float(1.5),
            float(1.96875),
        ],
        "0x1p-1074|0x1.fffffffffffffp+1023|0x1p+01|0x1.0p+01",
    );
    check(
        "%b|%b|%b",
        &[float(1.0), float(-0.1), float(5e-324)],
        "4503599627370496p-52|-7205759403792794p-56|1p-1074",
    );
    check(
        "%v|%v|%v|%v|%e|%f",
        &[
            float(f64::NAN),
            float(f64::INFINITY),
            float(f64::NEG_INFINITY),
            float(-0.0),
            float(-0.0),
            float(-0.0),
        ],
        "NaN|+Inf|-Inf|-0|-0.000000e+00|-0.000000",
    );
    check(
        "%5v|%-5v|%05v|%+v|% v|%+f|% e",
        &[
            float(f64::NAN),
            float(f64::NAN),
            float(f64::INFINITY),
            float(f64::INFINITY),
            float(f64::NAN),
            float(f64::NAN),
            float(f64::INFINITY),
        ],
        "  NaN|NaN  | +Inf|+Inf| NaN|+NaN| Inf",
    );
    check(
        "%010v|%-010v|%+010.2f|",
        &[
            float(f64::NEG_INFINITY),
            float(f64::INFINITY),
            float(f64::NAN),
        ],
        "      -Inf|+Inf      |      +NaN|",
    );
    check(
        "%d|%s|%q|%c|%t",
        &[float(1.5), float(1.5), float(1.5), float(1.5), float(1.5)],
        "%!d(float64=1.5)|%!s(float64=1.5)|%!q(float64=1.5)|%!c(float64=1.5)|%!t(float64=1.5)",
    );
    check("%T", &[float(1.5)], "float64");
    check(
        "%.30f|%.20e|%.25g",
        &[float(0.1), float(0.1), float(0.1)],
        "0.100000000000000005551115123126|1.00000000000000005551e-01|0.1000000000000000055511151",
    );
    check(
        "%.60f",
        &[float(1e-50)],
        "0.000000000000000000000000000000000000000000000000010000000000",
    );
    check(
        "%f|%.3f",
        &[float(1e22), float(123456789012345678901234567890.0)],
        "10000000000000000000000.000000|123456789012345677877719597056.000",
    );
    check(
        "%v|%v|%v|%v",
        &[
            float(12345678.0),
            float(20.0),
            float(123456789012345678.0),
            float(0.3),
        ],
        "1.2345678e+07|20|1.2345678901234568e+17|0.3",
    );
    check("%v", &[float(2.5e-5)], "2.5e-05");
    check(
        "%g|%e",
        &[float(9.999999e5), float(9.9999999e5)],
        "999999.9|1.000000e+06",
    );
    check(
        "%.3e|%.2g|%.1f",
        &[float(9.9996), float(9.96), float(9.96)],
        "1.000e+01|10|10.0",
    );
}

#[test]
fn complex_verbs() {
    check(
        "%v|%.2f|%+v|%e|%g|%5.1f",
        &[
            Value::Complex(1.0, 2.0),
            Value::Complex(1.5, -0.5),
            Value::Complex(1.0, 2.0),
            Value::Complex(0.0, 2.0),
            Value::Complex(-1.0, -1.0),
            Value::Complex(1.0, 2.0),
        ],
        "(1+2i)|(1.50-0.50i)|(1+2i)|(0.000000e+00+2.000000e+00i)|(-1-1i)|(  1.0 +2.0i)",
    );
    check(
        "%d|%s|%T|%#v",
        &[
            Value::Complex(1.0, 2.0),
            Value::Complex(1.0, 2.0),
            Value::Complex(1.0, 2.0),
            Value::Complex(1.0, 2.0),
        ],
        "%!d(complex128=(1+2i))|%!s(complex128=(1+2i))|complex128|(1+2i)",
    );
    check(
        "%x|%X|%b",
        &[
            Value::Complex(1.0, 2.0),
            Value::Complex(1.0, 2.0),
            Value::Complex(1.0, 2.0),
        ],
        "(0x1p+00+0x1p+01i)|(0X1P+00+0X1P+01i)|(4503599627370496p-52+4503599627370496p-51i)",
    );
}

#[test]
fn nil_operands() {
    check(
        "%v|%d|%s|%T|%q|%5v|%-5v|%x|",
        &[
            Value::Nil,
            Value::Nil,
            Value::Nil,
            Value::Nil,
            Value::Nil,
            Value::Nil,
            Value::Nil,
            Value::Nil,
        ],
        "<nil>|%!d(<nil>)|%!s(<nil>)|<nil>|%!q(<nil>)|<nil>|<nil>|%!x(<nil>)|",
    );
    check(
        "%#v|%+v|%p",
        &[Value::Nil, Value::Nil, Value::Nil],
        "<nil>|<nil>|%!p(<nil>)",
    );
}

#[test]
fn list_operands() {
    check(
        "%v|%d|%s",
        &[
            list(vec![int(1), int(2), int(3)]),
            list(vec![int(1), int(2), int(3)]),
            list(vec![int(1), int(2), int(3)]),
        ],
        "[1 2 3]|[1 2 3]|[%!s(int=1) %!s(int=2) %!s(int=3)]",
    );
    check(
        "%v|%5v|%-4v|%03d|",
        &[
            list(vec![int(1), s("a"), Value::Nil]),
            list(vec![int(1), s("a"), Value::Nil]),
            list(vec![int(1), s("a"), Value::Nil]),
            list(vec![int(1), int(2)]),
        ],
        "[1 a <nil>]|[    1     a <nil>]|[1    a    <nil>]|[001 002]|",
    );
    check(
        "%x|%X|%q|%#v",
        &[
            list(vec![s("ab"), s("cd")]),
            list(vec![int(255), s("z")]),
            list(vec![s("a"), int(97), Value::Nil]),
            list(vec![
                int(1),
                s("a"),
                float(1.5),
                Value::Bool(true),
                Value::Nil,
            ]),
        ],
        r#"[6162 6364]|[FF 7A]|["a" 'a' <nil>]|[]interface {}{1, "a", 1.5, true, interface {}(nil)}"#,
    );
    check(
        "%v|%#v|%T",
        &[list(vec![]), list(vec![]), list(vec![])],
        "[]|[]interface {}{}|[]interface {}",
    );
    check(
        "%v|%#v",
        &[
            list(vec![list(vec![int(1), int(2)]), list(vec![])]),
            list(vec![list(vec![int(1), int(2)]), list(vec![])]),
        ],
        "[[1 2] []]|[]interface {}{[]interface {}{1, 2}, []interface {}{}}",
    );
    check(
        "%v|%#v|%s",
        &[
            list(vec![dict(vec![("a", int(1))]), dict(vec![])]),
            list(vec![dict(vec![("a", int(1))]), dict(vec![])]),
            list(vec![dict(vec![("a", s("x"))])]),
        ],
        r#"[map[a:1] map[]]|[]interface {}{map[string]interface {}{"a":1}, map[string]interface {}{}}|[map[a:x]]"#,
    );
    check(
        "%v|%q|%x|%#v|%T|%5s|%.1s",
        &[
            strings(&["a", "b", "c"]),
            strings(&["a", "b", "c"]),
            strings(&["a", "b", "c"]),
            strings(&["a", "b", "c"]),
            strings(&["a", "b", "c"]),
            strings(&["a", "b", "c"]),
            strings(&["ab", "cd"]),
        ],
        r#"[a b c]|["a" "b" "c"]|[61 62 63]|[]string{"a", "b", "c"}|[]string|[    a     b     c]|[a c]"#,
    );
    check(
        "%d|%t",
        &[
            strings(&["a", "b"]),
            list(vec![Value::Bool(true), Value::Bool(false), int(1)]),
        ],
        "[%!d(string=a) %!d(string=b)]|[true false %!t(int=1)]",
    );
    check(
        "%e|%.1f|%g",
        &[
            list(vec![float(1.5), float(2.0)]),
            list(vec![float(1.55), float(2.0)]),
            list(vec![float(1e6), float(1e-7)]),
        ],
        "[1.500000e+00 2.000000e+00]|[1.6 2.0]|[1e+06 1e-07]",
    );
    check(
        "%w|%w|%w",
        &[list(vec![int(1)]), dict(vec![("a", int(1))]), int(1)],
        "%!w([]interface {}=[1])|%!w(map[string]interface {}=map[a:1])|%!w(int=1)",
    );
    check(
        "%v",
        &[list(vec![float(1.0), float(1e21), float(f64::NAN)])],
        "[1 1e+21 NaN]",
    );
}

#[test]
fn map_operands() {
    check(
        "%v|%d|%s",
        &[
            dict(vec![("b", int(2)), ("a", int(1))]),
            dict(vec![("b", int(2)), ("a", int(1))]),
            dict(vec![("b", s("x")), ("a", s("y"))]),
        ],
        "map[a:1 b:2]|map[%!d(string=a):1 %!d(string=b):2]|map[a:y b:x]",
    );
    check(
        "%#v|%T",
        &[
            dict(vec![
                ("b", int(2)),
                ("a", s("x")),
                ("c", Value::Nil),
                ("d", list(vec![int(1)])),
            ]),
            dict(vec![("b", int(2))]),
        ],
        r#"map[string]interface {}{"a":"x", "b":2, "c":interface {}(nil), "d":[]interface {}{1}}|map[string]interface {}"#,
    );
    check(
        "%v|%#v",
        &[dict(vec![]), dict(vec![])],
        "map[]|map[string]interface {}{}",
    );
    check(
        "%x|%q|%5v|%-3v|",
        &[
            dict(vec![("a", s("b"))]),
            dict(vec![("a", s("b"))]),
            dict(vec![("a", int(1))]),
            dict(vec![("a", int(1))]),
        ],
        r#"map[61:62]|map["a":"b"]|map[    a:    1]|map[a  :1  ]|"#,
    );
    check(
        "%v",
        &[dict(vec![
            ("z", dict(vec![("y", dict(vec![("x", int(1))]))])),
            ("B", int(2)),
            ("a", int(3)),
            ("_", int(4)),
            ("1", int(5)),
        ])],
        "map[1:5 B:2 _:4 a:3 z:map[y:map[x:1]]]",
    );
    check(
        "%v|%#v",
        &[
            dict(vec![("k", float(1.5)), ("l", Value::Bool(true))]),
            dict(vec![("k", float(1.5)), ("l", Value::Bool(true))]),
        ],
        r#"map[k:1.5 l:true]|map[string]interface {}{"k":1.5, "l":true}"#,
    );
}

#[test]
fn byte_slice_operands() {
    check(
        "%s|%v|%d|%x|%X|%q|% x|%#x|%# x",
        &[
            bytes(b"hi"),
            bytes(b"hi"),
            bytes(b"hi"),
            bytes(b"hi"),
            bytes(b"hi"),
            bytes(b"hi"),
            bytes(b"hi"),
            bytes(b"hi"),
            bytes(b"hi"),
        ],
        r#"hi|[104 105]|[104 105]|6869|6869|"hi"|68 69|0x6869|0x68 0x69"#,
    );
    check(
        "%o|%c|%#v|%T|%5v|%.1s|%10s|%b",
        &[
            bytes(b"hi"),
            bytes(b"hi"),
            bytes(b"hi"),
            bytes(b"hi"),
            bytes(b"hi"),
            bytes(b"hi"),
            bytes(b"hi"),
            bytes(b"hi"),
        ],
        "[150 151]|[h i]|[]byte{0x68, 0x69}|[]uint8|[  104   105]|h|        hi|[1101000 1101001]",
    );
    check(
        "%v|%s|%#v|%x|%d",
        &[
            list(vec![bytes(b"ab")]),
            list(vec![bytes(b"ab")]),
            list(vec![bytes(b"ab")]),
            list(vec![bytes(b"ab")]),
            list(vec![bytes(b"ab")]),
        ],
        "[[97 98]]|[ab]|[]interface {}{[]uint8{0x61, 0x62}}|[6162]|[[97 98]]",
    );
    check(
        "%q|%U|%#U|%e",
        &[bytes(b"a\tb"), bytes(b"a"), bytes(b"a"), bytes(b"a")],
        r#""a\tb"|[U+0061]|[U+0061 'a']|[%!e(uint8=97)]"#,
    );
    check(
        "%v|%s|%x|%q|%#v|%T",
        &[
            bytes(b""),
            bytes(b""),
            bytes(b""),
            bytes(b""),
            bytes(b""),
            bytes(b""),
        ],
        r#"[]|||""|[]byte{}|[]uint8"#,
    );
    check(
        "%v|%#v|%q",
        &[
            dict(vec![("b", bytes(b"x"))]),
            dict(vec![("b", bytes(b"x"))]),
            dict(vec![("b", bytes(b"x"))]),
        ],
        r#"map[b:[120]]|map[string]interface {}{"b":[]uint8{0x78}}|map["b":"x"]"#,
    );
}

#[test]
fn argument_handling() {
    check("%d %d", &[int(1)], "1 %!d(MISSING)");
    check(
        "%d",
        &[int(1), int(2), s("x"), Value::Nil, float(1.5)],
        "1%!(EXTRA int=2, string=x, <nil>, float64=1.5)",
    );
    check("%d %d %d", &[int(1), int(2)], "1 2 %!d(MISSING)");
    check("%[2]d %[1]d", &[int(1), int(2)], "2 1");
    check("%[2]d %d", &[int(1), int(2), int(3)], "2 3");
    check(
        "%[3]d|%[0]d|%[x]d|%[1]d",
        &[int(1), int(2)],
        "%!d(BADINDEX)|%!d(BADINDEX)|%!d(BADINDEX)|1",
    );
    check("%[1]d %[1]q %[1]x", &[int(65)], "65 'A' 41");
    check("%[2]*[1]d|%[1]*d", &[int(12), int(5)], "   12|           5");
    check(
        "%*d|%-*d|%.*f|%*.*f|",
        &[
            int(5),
            int(1),
            int(5),
            int(1),
            int(2),
            float(3.14158),
            int(8),
            int(3),
            float(2.71829),
        ],
        "    1|1    |3.14|   2.718|",
    );
    check(
        "%*d|%.*d",
        &[s("x"), int(1), float(1.5), int(2)],
        "%!(BADWIDTH)1|%!(BADPREC)2",
    );
    check("%*d", &[int(-4), int(7)], "7   ");
    check("%.*d", &[int(-1), int(7)], "%!(BADPREC)7");
    check(
        "%*d|%.*d",
        &[int(10000000), int(1), int(10000000), int(1)],
        "%!(BADWIDTH)1|%!(BADPREC)1",
    );
    check("%*d", &[int64(4), int(9)], "   9");
    check("%[1]2d", &[int(1)], "%!d(BADINDEX)");
    check("%[1].2f", &[float(1.0)], "%!f(BADINDEX)");
    check("%.[2]d", &[int(1), int(2)], "2");
    check(
        "%[1]*.[2]*[3]f",
        &[int(10), int(3), float(3.14158)],
        "     3.142",
    );
    check("%", &[], "%!(NOVERB)");
    check("abc%", &[int(1)], "abc%!(NOVERB)%!(EXTRA int=1)");
    check("%5", &[int(1)], "%!(NOVERB)%!(EXTRA int=1)");
    check("%-+# 0", &[int(1)], "%!(NOVERB)%!(EXTRA int=1)");
    check("%5.%|%%|%-5%|", &[int(1)], "%|%|%|%!(EXTRA int=1)");
    check(
        "%d %[5]d %d",
        &[int(1), int(2), int(3)],
        "1 %!d(BADINDEX) 2",
    );
    check("%d %!d", &[int(1)], "1 %!!(MISSING)d");
    check("%é|%☺", &[int(1), int(2)], "%!é(int=1)|%!☺(int=2)");
    check("%5.", &[int(3)], "%!.(int=    3)");
    check("%.d|%.s|%.x|", &[int(7), s("abc"), int(255)], "7||ff|");
    check(
        "%]|%[|%[1|%[]",
        &[int(1), int(2), int(3), int(4)],
        "%!](int=1)|%!(NOVERB)",
    );
    check("%[1]d%[1]d", &[int(7)], "77");
    check(
        "no verbs",
        &[int(1), s("two")],
        "no verbs%!(EXTRA int=1, string=two)",
    );
    check("%v %v", &[s("a"), s("b")], "a b");
    check(
        "%T|%T|%T|%T|%T|%T|%T",
        &[
            list(vec![]),
            strings(&["a"]),
            dict(vec![]),
            bytes(b""),
            Value::Nil,
            Value::Bool(true),
            Value::Complex(1.0, 2.0),
        ],
        "[]interface {}|[]string|map[string]interface {}|[]uint8|<nil>|bool|complex128",
    );
    check(
        "%10T|%-10T|%.3T",
        &[int(1), int(1), list(vec![])],
        "       int|int       |[]i",
    );
    check(
        "%v %s",
        &[
            list(vec![s("a"), Value::Nil]),
            dict(vec![("a", Value::Nil)]),
        ],
        "[a <nil>] map[a:<nil>]",
    );
}

#[test]
fn print_and_println() {
    assert_eq!(
        sprint(&[
            int(1),
            int(2),
            s("a"),
            s("b"),
            int(3),
            Value::Nil,
            float(4.5),
            Value::Bool(true),
            list(vec![int(1), int(2)]),
            dict(vec![("a", int(1))])
        ]),
        "1 2ab3 <nil> 4.5 true [1 2] map[a:1]"
    );
    assert_eq!(sprint(&[s("a"), int(1), int(2), s("b")]), "a1 2b");
    assert_eq!(sprint(&[]), "");
    assert_eq!(sprint(&[Value::Nil, Value::Nil]), "<nil> <nil>");
    assert_eq!(sprint(&[s("x"), Value::Nil, s("y")]), "x<nil>y");
    assert_eq!(
        sprintln(&[int(1), s("a"), Value::Nil, float(2.5)]),
        "1 a <nil> 2.5\n"
    );
    assert_eq!(sprintln(&[]), "\n");
    assert_eq!(sprint(&[bytes(b"hi"), bytes(b"yo")]), "[104 105] [121 111]");
    assert_eq!(
        sprint(&[
            float(1e6),
            float(1e21),
            float(-0.0),
            Value::Complex(1.0, 2.0)
        ]),
        "1e+06 1e+21 -0 (1+2i)"
    );
}

#[test]
fn huge_widths_and_precisions() {
    // Go accepts numbers until the value read so far passes one million.
    let out = sprintf("%1000001d", &[int(1)]);
    assert_eq!(out.len(), 1_000_001);
    assert!(out.starts_with("   ") && out.ends_with(" 1"));
    let out = sprintf("%.1000001d", &[int(1)]);
    assert!(out.len() == 1_000_001 && out.starts_with("000") && out.ends_with("01"));
    assert_eq!(sprintf("%01000001d", &[int(-1)]).len(), 1_000_001);
    assert_eq!(sprintf("%10000009d", &[int(5)]).len(), 10_000_009);
    // Past the limit Go gives up on the rest of the format.
    check("[%10000010d]", &[int(5)], "[%!(NOVERB)%!(EXTRA int=5)");
    check("[%999999999d]", &[int(5)], "[%!(NOVERB)%!(EXTRA int=5)");
    check(
        "[%.99999999999f]",
        &[float(1.0)],
        "[%!(NOVERB)%!(EXTRA float64=1)",
    );
    check("%[99999999999]d", &[int(5)], "%!d(BADINDEX)");
    check("%*d", &[int(1_000_001), int(5)], "%!(BADWIDTH)5");
    check("%*d", &[int64(i64::MIN), int(5)], "%!(BADWIDTH)5");
    assert_eq!(
        sprintf("%.*f", &[int(1_000_000), float(0.1)]).len(),
        1_000_002
    );
}

#[test]
fn unsigned_integers() {
    let byte = Value::Uint(200, UintType::Uint8);
    let big = Value::Uint(u64::MAX, UintType::Uint64);
    check(
        "%v|%d|%x|%#v|%T",
        &[byte.clone(), byte.clone(), byte.clone(), byte.clone(), byte],
        "200|200|c8|0xc8|uint8",
    );
    check(
        "%v|%x|%#v|%+d",
        &[big.clone(), big.clone(), big.clone(), big],
        "18446744073709551615|ffffffffffffffff|0xffffffffffffffff|+18446744073709551615",
    );
    check("%*d", &[Value::Uint(4, UintType::Uint), int(1)], "   1");
    check(
        "%*d",
        &[Value::Uint(u64::MAX, UintType::Uint64), int(1)],
        "%!(BADWIDTH)1",
    );
}

#[test]
fn invalid_utf8_bytes() {
    let data = bytes([b'a', 0xff, 0xe2, 0x82]);
    check(
        "%q|%x|%+q|%#q",
        &[data.clone(), data.clone(), data.clone(), data.clone()],
        r#""a\xff\xe2\x82"|61ffe282|"a\xff\xe2\x82"|"a\xff\xe2\x82""#,
    );
    // Each invalid byte counts as one rune for precision and width.
    check(
        "%.2q|%6s|",
        &[data.clone(), bytes([0xff])],
        "\"a\\xff\"|     \u{fffd}|",
    );
    // The raw bytes themselves cannot live in a Rust string: they become U+FFFD.
    check("%s", &[data], "a\u{fffd}\u{fffd}");
}

#[derive(Debug)]
struct Release;

impl Object for Release {
    fn type_name(&self) -> &str {
        "*release.Info"
    }

    fn member(&self, _name: &str) -> Member {
        Member::Missing
    }

    fn format(&self) -> String {
        "&{demo 1}".to_string()
    }
}

#[derive(Debug)]
struct Metadata;

impl Object for Metadata {
    fn type_name(&self) -> &str {
        "chart.Metadata"
    }

    fn member(&self, _name: &str) -> Member {
        Member::Missing
    }
}

struct Upper;

impl Callable for Upper {
    fn type_name(&self) -> &str {
        "func(string) string"
    }

    fn call(&self, _args: &[Value]) -> Result<Value, String> {
        Ok(Value::Nil)
    }
}

#[test]
fn host_objects_print_through_format() {
    let release = Value::Object(Arc::new(Release));
    let metadata = Value::Object(Arc::new(Metadata));
    check(
        "%v|%s|%+v|%T",
        &[
            release.clone(),
            release.clone(),
            release.clone(),
            release.clone(),
        ],
        "&{demo 1}|&{demo 1}|&{demo 1}|*release.Info",
    );
    check(
        "%v|%T|%p",
        &[metadata.clone(), metadata.clone(), metadata.clone()],
        "{chart.Metadata}|chart.Metadata|%!p(chart.Metadata={chart.Metadata})",
    );
    check(
        "%v|%w",
        &[list(vec![release.clone()]), release.clone()],
        "[&{demo 1}]|%!w(*release.Info=&{demo 1})",
    );
    assert_eq!(sprint(&[release, metadata]), "&{demo 1} {chart.Metadata}");
}

#[test]
fn addresses_are_fixed() {
    let func = Value::Func(Arc::new(Upper));
    check(
        "%v|%p|%#p|%d|%T",
        &[
            func.clone(),
            func.clone(),
            func.clone(),
            func.clone(),
            func.clone(),
        ],
        "0xc000010000|0xc000010000|c000010000|824633786368|func(string) string",
    );
    check(
        "%#v|%s",
        &[func.clone(), func],
        "(func(string) string)(0xc000010000)|%!s(func(string) string=0xc000010000)",
    );
    check(
        "%p|%p|%p",
        &[list(vec![]), dict(vec![]), bytes(b"x")],
        "0xc000010000|0xc000010000|0xc000010000",
    );
    check("%p", &[Value::Object(Arc::new(Release))], "0xc000010000");
}

#[test]
fn self_containing_map_stops() {
    let map = Map::new();
    map.insert("self", Value::Map(map.clone()));
    map.insert("n", int(1));
    check(
        "%v",
        &[Value::Map(map.clone())],
        "map[n:1 self:map[<cycle>]]",
    );
    // Breaking the cycle lets the map be dropped.
    map.remove("self");
}

#[test]
fn shortest_ties_round_to_even() {
    // The float nearest 635920604363.4062 is exactly 635920604363.40625: halfway between
    // two 16-digit candidates, of which Go keeps the even one.
    check(
        "%v|%v|%e|%g",
        &[
            float(635920604363.4062),
            float(-30880815999485.312),
            float(635920604363.4062),
            float(635920604363.4062),
        ],
        "6.359206043634062e+11|-3.0880815999485312e+13|6.359206e+11|6.359206043634062e+11",
    );
}

#[test]
fn format_float_layouts() {
    assert_eq!(format_float(1234.5678, b'e', 2, 64), "1.23e+03");
    assert_eq!(format_float(1234.5678, b'E', -1, 64), "1.2345678E+03");
    assert_eq!(format_float(1234.5678, b'f', -1, 64), "1234.5678");
    assert_eq!(format_float(0.000012, b'f', -1, 64), "0.000012");
    assert_eq!(format_float(1e21, b'f', -1, 64), "1000000000000000000000");
    assert_eq!(format_float(1e21, b'g', -1, 64), "1e+21");
    assert_eq!(format_float(123456.0, b'g', -1, 64), "123456");
    assert_eq!(format_float(1234567.0, b'G', -1, 64), "1.234567E+06");
    assert_eq!(format_float(0.00001234, b'g', 2, 64), "1.2e-05");
    assert_eq!(format_float(100.0, b'g', 0, 64), "1e+02");
    assert_eq!(format_float(0.0, b'e', -1, 64), "0e+00");
    assert_eq!(format_float(-0.0, b'g', -1, 64), "-0");
    assert_eq!(format_float(2.5, b'f', 0, 64), "2");
    assert_eq!(format_float(0.125, b'f', 2, 64), "0.12");
    assert_eq!(format_float(f64::NAN, b'f', 2, 64), "NaN");
    assert_eq!(format_float(f64::NEG_INFINITY, b'e', -1, 64), "-Inf");
    assert_eq!(format_float(1.0, b'b', -1, 64), "4503599627370496p-52");
    assert_eq!(format_float(1.0, b'b', -1, 32), "8388608p-23");
    assert_eq!(format_float(0.1, b'g', -1, 32), "0.1");
    assert_eq!(format_float(0.1, b'f', 10, 32), "0.1000000015");
    assert_eq!(format_float(1.0, b'x', 3, 64), "0x1.000p+00");
    assert_eq!(format_float(0.1, b'X', -1, 32), "0X1.99999AP-04");
    assert_eq!(format_float(1.9999, b'x', 1, 64), "0x1.0p+01");
    assert_eq!(format_float(0.0, b'x', -1, 64), "0x0p+00");
    assert_eq!(format_float(1.0, b'z', 2, 64), "%z");
}

#[test]
fn quoting_helpers() {
    assert_eq!(quote("a\"b\\c\n"), r#""a\"b\\c\n""#);
    assert_eq!(quote("héllo ☺ \u{1F600}"), "\"héllo ☺ \u{1F600}\"");
    assert_eq!(
        quote("\u{80}\u{2028}\u{e000}\u{10ffff}"),
        r#""\u0080\u2028\ue000\U0010ffff""#
    );
    assert_eq!(quote_to_ascii("é☺\u{1F600}"), r#""\u00e9\u263a\U0001f600""#);
    assert_eq!(quote_rune('\''), r"'\''");
    assert_eq!(quote_rune('"'), "'\"'");
    assert_eq!(quote_rune('\u{0}'), r"'\x00'");
    assert!(can_backquote("tab\tand ☺"));
    assert!(!can_backquote("a`b"));
    assert!(!can_backquote("nl\n"));
    assert!(!can_backquote("\u{feff}"));
    assert!(!can_backquote("del\u{7f}"));
    assert!(is_print(' ') && is_print('é') && is_print('\u{1F600}'));
    assert!(!is_print('\u{a0}') && !is_print('\u{ad}') && !is_print('\u{378}') && !is_print('\t'));
}
