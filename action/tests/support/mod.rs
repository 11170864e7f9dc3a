//! Test peers and fixtures shared by the CLI tests. Each test crate uses a part of them.
#![allow(dead_code)]

pub mod scenario;
pub mod static_server;
