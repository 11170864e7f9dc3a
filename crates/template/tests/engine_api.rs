//! The engine's extension points and options, which Helm's goldens cannot reach: host
//! objects (what `.Files`, `.Capabilities` and `.Release` will be), registered functions
//! that call back into the engine (what `include` and `tpl` will be), `missingkey=error`
//! and the resource limits. Expected texts follow Go's messages for the same situations.

use helmpilot_template::{
    Error, ErrorKind, Function, Functions, GoType, Limits, Map, Member, MissingKey, Object,
    Signature, Templates, Value,
};

/// A stand-in for Helm's `.Files`: a struct with a field and methods with arguments.
#[derive(Debug)]
struct Files;

impl Object for Files {
    fn type_name(&self) -> &str {
        "files.Files"
    }

    fn member(&self, name: &str) -> Member {
        match name {
            "Count" => Member::Field(Value::int(2)),
            "Get" => Member::Method(Signature::fixed(&[GoType::String])),
            "Glob" => Member::Method(Signature::variadic(&[GoType::String], GoType::String)),
            _ => Member::Missing,
        }
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        let first = args.first().and_then(Value::as_str).unwrap_or_default();
        match (name, first) {
            ("Get", "missing.txt") => Err("open missing.txt: no such file".to_string()),
            ("Get", path) => Ok(Value::from(format!("contents of {path}"))),
            ("Glob", pattern) => Ok(Value::from(format!(
                "{pattern} and {} more",
                args.len() - 1
            ))),
            _ => Err(format!("no method {name}")),
        }
    }
}

fn data_with_files() -> Value {
    let top = Map::new();
    top.insert("Files", Value::Object(std::sync::Arc::new(Files)));
    Value::Map(top)
}

fn render(set: &mut Templates, text: &str, data: &Value) -> Result<String, Error> {
    set.parse("t", text)?;
    set.execute("t", data)
}

#[test]
fn host_object_fields_and_methods() {
    let mut set = Templates::new();
    let out = render(
        &mut set,
        r#"{{ .Files.Count }}|{{ .Files.Get "a.txt" }}|{{ "b.txt" | .Files.Get }}|{{ .Files.Glob "*" "x" }}"#,
        &data_with_files(),
    )
    .unwrap();
    assert_eq!(out, "2|contents of a.txt|contents of b.txt|* and 1 more");
}

#[test]
fn host_object_errors_read_like_go() {
    let data = data_with_files();
    let cases = [
        // Read from a map, the object is held in an `interface {}`, and Go names that type.
        (
            "{{ .Files.Nope }}",
            "template: t:1:9: executing \"t\" at <.Files.Nope>: can't evaluate field Nope in type interface {}",
        ),
        // As dot, it is the object itself.
        (
            "{{ with .Files }}{{ .Nope }}{{ end }}",
            "template: t:1:20: executing \"t\" at <.Nope>: can't evaluate field Nope in type files.Files",
        ),
        (
            "{{ .Files.Count 1 }}",
            "template: t:1:9: executing \"t\" at <.Files.Count>: Count has arguments but cannot be invoked as function",
        ),
        (
            "{{ .Files.Get }}",
            "template: t:1:9: executing \"t\" at <.Files.Get>: wrong number of args for Get: want 1 got 0",
        ),
        (
            "{{ .Files.Get 1 }}",
            "template: t:1:14: executing \"t\" at <1>: expected string; found 1",
        ),
        (
            r#"{{ .Files.Get "missing.txt" }}"#,
            "template: t:1:9: executing \"t\" at <.Files.Get>: error calling Get: open missing.txt: no such file",
        ),
    ];
    for (text, expected) in cases {
        let err = render(&mut Templates::new(), text, &data).unwrap_err();
        assert_eq!(err.to_string(), expected, "{text}");
    }
}

/// `include` as Helm defines it: execute a named template, return its output.
fn include() -> Function {
    Function::new(
        Signature::fixed(&[GoType::String, GoType::Any]),
        |ctx, args| {
            let name = args[0].as_str().unwrap_or_default();
            ctx.execute_template(name, &args[1]).map(Value::from)
        },
    )
}

/// `tpl` as Helm defines it: parse text at run time with the set's templates in scope.
fn tpl() -> Function {
    Function::new(
        Signature::fixed(&[GoType::String, GoType::Any]),
        |ctx, args| {
            let text = args[0].as_str().unwrap_or_default();
            ctx.execute_text("gotpl", text, &args[1]).map(Value::from)
        },
    )
}

#[test]
fn functions_call_back_into_the_engine() {
    let mut funcs = Functions::new();
    funcs.insert("include", include());
    funcs.insert("tpl", tpl());
    let mut set = Templates::with_functions(funcs);
    set.parse("helpers", r#"{{ define "name" }}app-{{ . }}{{ end }}"#)
        .unwrap();
    let out = render(
        &mut set,
        r#"{{ include "name" "web" | printf "%q" }} {{ tpl "{{ include \"name\" . }}!" "api" }}"#,
        &Value::Nil,
    )
    .unwrap();
    assert_eq!(out, r#""app-web" app-api!"#);
    // A template parsed by `tpl` does not leak into the set.
    assert!(!set.contains("gotpl"));
}

#[test]
fn errors_inside_an_included_template_are_chained() {
    let mut funcs = Functions::new();
    funcs.insert("include", include());
    let mut set = Templates::with_functions(funcs);
    set.parse("helpers", r#"{{ define "bad" }}{{ .x.y }}{{ end }}"#)
        .unwrap();
    let data = Value::Map(Map::new());
    data_insert(&data, "x", Value::int(1));
    let err = render(&mut set, r#"{{ include "bad" . }}"#, &data).unwrap_err();
    assert_eq!(
        err.to_string(),
        "template: t:1:3: executing \"t\" at <include \"bad\" .>: error calling include: \
         template: helpers:1:23: executing \"bad\" at <.x.y>: can't evaluate field y in type interface {}"
    );
    let kinds: Vec<ErrorKind> = err.chain().map(|e| e.kind).collect();
    assert_eq!(kinds, [ErrorKind::Exec, ErrorKind::Exec]);
}

fn data_insert(data: &Value, key: &str, value: Value) {
    if let Value::Map(m) = data {
        m.insert(key, value);
    }
}

#[test]
fn missingkey_error_reports_the_key() {
    let mut set = Templates::new();
    set.set_missing_key(MissingKey::Error);
    let data = Value::Map(Map::new());
    let err = render(&mut set, "{{ .nope }}", &data).unwrap_err();
    assert_eq!(
        err.to_string(),
        "template: t:1:3: executing \"t\" at <.nope>: map has no entry for key \"nope\""
    );
    // The default prints Go's "no value".
    assert_eq!(
        render(&mut Templates::new(), "{{ .nope }}", &data).unwrap(),
        "<no value>"
    );
}

#[test]
fn endless_recursion_stops_at_the_depth_limit() {
    let mut set = Templates::new();
    set.set_limits(Limits {
        max_template_depth: 50,
        ..Limits::default()
    });
    let err = render(
        &mut set,
        r#"{{ define "loop" }}{{ template "loop" }}{{ end }}{{ template "loop" }}"#,
        &Value::Nil,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("exceeded maximum template depth (50)"),
        "{err}"
    );
}

#[test]
fn go_depth_limit_is_reached_without_exhausting_the_stack() {
    // Go allows 100000 nested template calls; so do we, growing the stack as needed.
    let mut set = Templates::new();
    let err = render(
        &mut set,
        r#"{{ define "loop" }}{{ template "loop" }}{{ end }}{{ template "loop" }}"#,
        &Value::Nil,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("exceeded maximum template depth (100000)"),
        "{err}"
    );
}

#[test]
fn output_and_step_limits_stop_runaway_templates() {
    let mut set = Templates::new();
    set.set_limits(Limits {
        max_output_bytes: 1000,
        ..Limits::default()
    });
    let err = render(
        &mut set,
        "{{ range 100000 }}xxxxxxxxxx{{ end }}",
        &Value::Nil,
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Limit);
    assert!(
        err.to_string()
            .contains("output exceeds the limit of 1000 bytes"),
        "{err}"
    );

    let mut set = Templates::new();
    set.set_limits(Limits {
        max_steps: 10_000,
        ..Limits::default()
    });
    let err = render(&mut set, "{{ range 1000000000 }}{{ end }}", &Value::Nil).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Limit);
    assert!(
        err.to_string()
            .contains("exceeded the limit of 10000 steps"),
        "{err}"
    );
}

#[test]
fn sprig_style_set_mutates_the_shared_map() {
    // Sprig's `set` changes the map every holder sees, as Go maps do.
    let mut funcs = Functions::new();
    funcs.insert(
        "set",
        Function::new(
            Signature::fixed(&[GoType::Map, GoType::String, GoType::Any]),
            |_, args| {
                if let (Value::Map(m), Some(key)) = (&args[0], args[1].as_str()) {
                    m.insert(key, args[2].clone());
                }
                Ok(args[0].clone())
            },
        ),
    );
    let mut set = Templates::with_functions(funcs);
    let data = Value::Map(Map::new());
    let out = render(&mut set, r#"{{ $_ := set . "a" 1 }}{{ .a }}"#, &data).unwrap();
    assert_eq!(out, "1");
    assert_eq!(data.to_string(), "map[a:1]");
}

#[test]
fn wrong_argument_types_for_registered_functions() {
    let mut funcs = Functions::new();
    funcs.insert(
        "upper",
        Function::new(Signature::fixed(&[GoType::String]), |_, args| {
            Ok(args[0].clone())
        }),
    );
    let mut set = Templates::with_functions(funcs);
    let data = Value::Map(Map::new());
    data_insert(&data, "n", Value::Float(1.5));
    let err = render(&mut set, "{{ upper .n }}", &data).unwrap_err();
    assert_eq!(
        err.to_string(),
        "template: t:1:9: executing \"t\" at <.n>: wrong type for value; expected string; got float64"
    );
}

#[test]
fn call_sites_tell_calls_apart_and_repeat_across_executions() {
    let mut funcs = Functions::new();
    funcs.insert(
        "site",
        Function::new(Signature::fixed(&[]), |ctx, _| {
            let site = ctx.call_site();
            Ok(Value::from(format!(
                "{}:{}:{}:{} ",
                site.entry, site.template, site.offset, site.occurrence
            )))
        }),
    );
    let mut set = Templates::with_functions(funcs);
    set.parse(
        "main",
        r#"{{ range . }}{{ site }}{{ end }}{{ template "part" }}"#,
    )
    .unwrap();
    set.parse("lib", r#"{{ define "part" }}{{ site }}{{ end }}"#)
        .unwrap();
    let data = Value::from(vec![Value::from(1), Value::from(2)]);
    let first = set.execute("main", &data).unwrap();
    // Offsets are those of `site` in the text of the template (or definition) holding it.
    assert_eq!(first, "main:main:16:0 main:main:16:1 main:part:22:0 ");
    // A new execution starts counting afresh: same input, same sites.
    assert_eq!(set.execute("main", &data).unwrap(), first);
}
