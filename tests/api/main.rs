//! Integration tests: one binary, real servers on port 0, real websockets,
//! real sled files. See `helpers` for the harness.

mod bad_input;
mod browser;
mod cli;
mod handoff;
mod helpers;
mod persistence;
mod visitor;
