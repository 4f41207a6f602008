//! Helpers for driving the real binaries in end-to-end tests.
