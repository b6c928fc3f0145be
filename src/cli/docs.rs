//! Man pages and completion scripts, generated from the clap definitions
//! (the one table of flags), for `man/` and `completions/`.

use clap_complete::Shell;

use crate::cli::command;

/// (file name, contents) of every man page: `msgl.1` and `msgl-<sub>.1`.
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    let root = command();
    let mut pages = Vec::new();
    let mut buf = Vec::new();
    clap_mangen::Man::new(root.clone())
        .render(&mut buf)
        .expect("rendering to memory cannot fail");
    pages.push(("msgl.1".to_string(), buf));
    for sub in root.get_subcommands() {
        if sub.is_hide_set() {
            continue;
        }
        let name = format!("msgl-{}", sub.get_name());
        let mut buf = Vec::new();
        let cmd = sub
            .clone()
            .name(name.clone())
            .version(root.get_version().unwrap_or_default().to_string());
        clap_mangen::Man::new(cmd)
            .render(&mut buf)
            .expect("rendering to memory cannot fail");
        pages.push((format!("{name}.1"), buf));
    }
    pages
}

/// (file name, contents) of the completion scripts for bash, zsh and fish.
pub fn completions() -> Vec<(String, Vec<u8>)> {
    [
        (Shell::Bash, "msgl.bash"),
        (Shell::Zsh, "_msgl"),
        (Shell::Fish, "msgl.fish"),
    ]
    .into_iter()
    .map(|(shell, file)| {
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut command(), "msgl", &mut buf);
        (file.to_string(), buf)
    })
    .collect()
}
