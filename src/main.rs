use clap::Parser;

fn main() {
    let cli = match msgl::cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e)
            if matches!(
                e.kind(),
                clap::error::ErrorKind::MissingSubcommand
                    | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) && std::env::args_os().len() == 1 =>
        {
            // Bare `msgl`: the usage and the commands, as `msgl --help`.
            let _ = msgl::cli::command().print_help();
            std::process::exit(0);
        }
        Err(e) if !e.use_stderr() => {
            // Help and version go to stdout with status 0.
            let _ = e.print();
            std::process::exit(0);
        }
        Err(e) => {
            // Usage errors: one line, as every msgl error (DESIGN §10.1), exit 2.
            let args: Vec<String> = std::env::args().collect();
            eprintln!("{}", msgl::cli::usage_error(&e.render().to_string(), &args));
            std::process::exit(2);
        }
    };
    if let Err(mut e) = msgl::cli::run(cli) {
        // Every error carries a hint (DESIGN §10.1); the command's help is the
        // last resort.
        if e.hint.is_none() {
            let args: Vec<String> = std::env::args().collect();
            e.hint = Some(msgl::cli::help_hint(&args));
        }
        eprintln!("{e}");
        std::process::exit(e.exit_code());
    }
}
