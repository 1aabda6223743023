//! The HTTP client. Work in progress.
