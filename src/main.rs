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
            let args = args_lossy();
            eprintln!("{}", msgl::cli::usage_error(&e.render().to_string(), &args));
            std::process::exit(2);
        }
    };
    if let Err(e) = msgl::cli::run(cli) {
        let args = args_lossy();
        let (line, status) = msgl::cli::report(e, &args);
        eprintln!("{line}");
        std::process::exit(status);
    }
}

/// The command line as text for messages; an argument that is not UTF-8
/// (a hostile path) is shown with replacement characters, never a panic.
fn args_lossy() -> Vec<String> {
    std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}
