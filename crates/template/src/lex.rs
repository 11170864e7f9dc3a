//! The lexer (stub; being written).
