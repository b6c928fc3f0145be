//! man/ and completions/ are generated from the clap definitions; this
//! fails when they are stale. Regenerate with `MSGL_BLESS=1 cargo test
//! --test generated_docs`.

use std::path::Path;

fn check(dir: &str, files: Vec<(String, Vec<u8>)>) {
    let dir = Path::new(dir);
    let bless = std::env::var_os("MSGL_BLESS").is_some();
    if bless {
        std::fs::create_dir_all(dir).unwrap();
        for e in std::fs::read_dir(dir).unwrap() {
            std::fs::remove_file(e.unwrap().path()).unwrap();
        }
    }
    let mut stale = Vec::new();
    for (name, want) in &files {
        let path = dir.join(name);
        if bless {
            std::fs::write(&path, want).unwrap();
        } else if std::fs::read(&path).ok().as_ref() != Some(want) {
            stale.push(path.display().to_string());
        }
    }
    let on_disk = std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0);
    assert!(
        stale.is_empty() && on_disk == files.len(),
        "stale or missing: {stale:?} ({on_disk} files on disk, {} generated); run `MSGL_BLESS=1 cargo test --test generated_docs`",
        files.len()
    );
}

#[test]
fn man_pages_are_fresh() {
    check("man", msgl::cli::docs::man_pages());
}

#[test]
fn completions_are_fresh() {
    check("completions", msgl::cli::docs::completions());
}
