//! Per-platform rules (PLATFORMS.md) as data, text counting and validation.
