//! `helmpilot`: the command line. Thin glue over the library crates.

mod action;
mod clock;
mod dependency;
mod diff;
mod frame;
mod oci_cli;
mod render;
mod template;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

// Rendering allocates many small, short-lived nodes and values; mimalloc handles that
// pattern markedly faster than the system allocator (see README, Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "helmpilot",
    version,
    about = "Ship Helm charts from a Git repository, safely"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render a chart exactly as `helm template` does.
    Template(Box<template::TemplateArgs>),
    /// Show what changes in each environment between two revisions of a chart, and
    /// what is risky.
    Diff(Box<diff::DiffArgs>),
    /// Run as the GitHub Action (reads the Actions environment; comments on pull requests).
    Action,
    /// Fetch a chart's dependencies from chart repositories and OCI registries.
    Dependency(dependency::DependencyArgs),
    /// Print helmpilot's version, the Helm release it renders like and its defaults.
    Version,
    /// Render Go templates the way Helm does (one template set, `_*` files only define).
    Render(render::RenderArgs),
    /// Push a chart archive to an OCI registry (`helm push`).
    Push(oci_cli::PushArgs),
    /// Download a chart from an OCI registry (`helm pull`).
    Pull(oci_cli::PullArgs),
    /// Log in to or out of an OCI registry (`helm registry`).
    Registry(oci_cli::RegistryArgs),
}

fn print_version() {
    use helmpilot_chart::render::objects::{DEFAULT_KUBE_VERSION, TARGET_HELM_VERSION};
    println!("helmpilot {}", env!("CARGO_PKG_VERSION"));
    println!("renders like Helm {TARGET_HELM_VERSION}");
    println!("default Kubernetes version (.Capabilities.KubeVersion): {DEFAULT_KUBE_VERSION}");
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            // `diff --exit-code` keeps 2 for "something changed": a bad command line is 1.
            let diff = std::env::args().nth(1).as_deref() == Some("diff");
            return match err.exit_code() {
                0 => ExitCode::SUCCESS,
                _ if diff => ExitCode::FAILURE,
                code => ExitCode::from(u8::try_from(code).unwrap_or(2)),
            };
        }
    };
    let result = match cli.command {
        Command::Diff(args) => match diff::run(&args) {
            Ok(outcome) if outcome.changed && outcome.exit_code_requested => {
                return ExitCode::from(2)
            }
            Ok(_) => Ok(()),
            Err(err) => Err(err),
        },
        Command::Template(args) => template::run(&args),
        Command::Render(args) => render::run(&args),
        Command::Dependency(args) => dependency::run(&args),
        Command::Action => action::run(),
        Command::Push(args) => oci_cli::run_push(&args),
        Command::Pull(args) => oci_cli::run_pull(&args),
        Command::Registry(args) => oci_cli::run_registry(&args),
        Command::Version => {
            print_version();
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("Error: {err:#}");
            if err.is::<template::UsageError>() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
