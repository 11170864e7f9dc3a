//! Builtins (stub).
