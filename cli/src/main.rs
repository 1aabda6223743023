//! `tcfaceid`: verify identity documents with Tencent Cloud FaceID from a shell, a cron job or a
//! batch backfill, on top of the `tcfaceid` library. `tcfaceid --help` lists the subcommands and
//! the exit codes.

mod args;
mod batch;
mod exit;
mod flow;
mod interrupt;
mod journal;
mod manifest;
mod progress;
mod record;
mod sign;
mod single;

use clap::{CommandFactory, Parser};

use args::{Cli, Command};

fn main() {
    let cli = Cli::parse();
    let code = match &cli.command {
        Command::Verify(args) => single::verify(&cli.global, args),
        Command::Result(args) => single::result(&cli.global, args),
        Command::Batch(args) => batch::run(&cli.global, args),
        Command::Sign(args) => sign::run(&cli.global, args),
        Command::Completions { shell } => {
            clap_complete::generate(
                *shell,
                &mut Cli::command(),
                "tcfaceid",
                &mut std::io::stdout(),
            );
            exit::OK
        }
    };
    std::process::exit(code);
}
