use clap::Parser;

fn main() {
    let cli = match msgl::cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // Help and version go to stdout with status 0; usage errors exit 2.
            let _ = e.print();
            std::process::exit(if e.use_stderr() { 2 } else { 0 });
        }
    };
    if let Err(e) = msgl::cli::run(cli) {
        eprintln!("{e}");
        std::process::exit(e.exit_code());
    }
}
