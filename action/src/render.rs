//! `helmpilot render`: executes template files against a values file, as Helm's engine
//! would, and prints each rendered file under a `# Source:` header like `helm template`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use helmpilot_chart::funcs::{helm_functions_with, FunctionEnv};
use helmpilot_chart::render::engine::{is_partial, parse_order};
use helmpilot_template::{Map, Templates, Value};

use crate::{clock, frame};

#[derive(Args)]
pub struct RenderArgs {
    /// Template files; files whose name starts with `_` only provide definitions.
    #[arg(required = true)]
    templates: Vec<PathBuf>,
    /// A JSON file with the values (`.Values`).
    #[arg(short = 'f', long = "values")]
    values: Option<PathBuf>,
    /// The release name (`.Release.Name`).
    #[arg(long, default_value = "release-name")]
    name: String,
    /// The release namespace (`.Release.Namespace`).
    #[arg(short, long, default_value = "default")]
    namespace: String,
    /// Seed for everything random (randAlphaNum, genCA, uuidv4, ...). Default: derived
    /// from the release name and namespace; each call also mixes in its template path and
    /// position, so unchanged templates keep their generated values.
    #[arg(long)]
    seed: Option<String>,
    /// The time `now` returns and certificates start at: Unix seconds or RFC 3339.
    /// Default: the commit time of the checked-out revision (outside Git: the current time).
    #[arg(long)]
    now: Option<String>,
}

pub fn run(args: &RenderArgs) -> Result<()> {
    let mut sources = BTreeMap::new();
    for path in &args.templates {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read template {}", path.display()))?;
        sources.insert(path.display().to_string(), text);
    }
    let values = match &args.values {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read values file {}", path.display()))?;
            let json: serde_json::Value = serde_json::from_str(&text).with_context(|| {
                format!(
                    "{} is not valid JSON; fix the syntax at the position shown",
                    path.display()
                )
            })?;
            if !json.is_object() {
                bail!(
                    "{}: values must be a JSON object at the top level",
                    path.display()
                );
            }
            Value::from(&json)
        }
        None => Value::Map(Map::new()),
    };

    let mut env = FunctionEnv::for_release(&args.name, &args.namespace, "");
    if let Some(seed) = &args.seed {
        env.seed = seed.clone();
    }
    env.now = match &args.now {
        Some(text) => clock::parse_now(text)?,
        None => clock::default_now(&args.templates[0])?,
    };
    let mut set = Templates::with_functions(helm_functions_with(env));
    set.set_name("gotpl");
    for name in &parse_order(sources.keys()) {
        set.parse(name, &sources[*name])
            .map_err(|e| frame::report(&e, &sources))?;
    }

    let release = Map::new();
    release.insert("Name", Value::from(args.name.as_str()));
    release.insert("Namespace", Value::from(args.namespace.as_str()));
    release.insert("IsInstall", Value::Bool(true));
    release.insert("IsUpgrade", Value::Bool(false));
    release.insert("Revision", Value::int(1));
    release.insert("Service", Value::from("Helm"));

    for (name, _) in sources.iter().filter(|(name, _)| !is_partial(name)) {
        let top = Map::new();
        top.insert("Values", values.clone());
        top.insert("Release", Value::Map(release.clone()));
        let output = set
            .execute(name, &Value::Map(top))
            .map_err(|e| frame::report(&e, &sources))?;
        // Helm prints missing values as empty text.
        let output = helmpilot_template::remove_no_value(output);
        if !output.trim().is_empty() {
            println!("---\n# Source: {name}\n{output}");
        }
    }
    Ok(())
}
