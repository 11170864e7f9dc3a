//! Execution (stub).
