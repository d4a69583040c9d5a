//! Integration tests: one binary, real servers on port 0, real websockets,
//! real sled files. See `helpers` for the harness.

// Tests may unwrap: a panic is how a test reports failure.
#![allow(clippy::unwrap_used)]

mod accounts;
mod admin;
mod assignment;
mod bad_input;
mod browser;
mod check;
mod check_postgres;
mod cli;
mod cluster;
mod connections;
mod conversations;
mod desk;
mod handoff;
mod health;
mod helpers;
mod history;
mod hostile;
mod intents;
mod migrate;
mod offline;
mod persistence;
mod queue;
mod reload;
mod reports;
mod retention;
mod returning;
mod scenarios;
mod security;
mod visitor;
