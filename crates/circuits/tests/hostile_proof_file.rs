//! `BatchProof::read_file` on hostile files: a 2 GB sparse file is refused
//! by its size without being read, an endless device by the read bound, a
//! damaged file as malformed; the honest file reads back and verifies.

use std::time::Instant;

use msgl_circuits::air::MAX_PROOF_BYTES;
use msgl_circuits::poseidon2::{self, Digest};
use msgl_circuits::{prove, verify, BatchProof, Entry, ProofDecodeError, Statement};

#[test]
fn a_two_gigabyte_proof_file_is_refused_by_its_size_unread() {
    let dir = tempfile_dir();
    let path = dir.join("huge.proof");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(2 << 30).unwrap(); // sparse: no block is written
    drop(f);
    let started = Instant::now();
    let err = BatchProof::read_file(&path).unwrap_err();
    assert_eq!(err, ProofDecodeError::TooLarge { len: 2 << 30 });
    // Reading 2 GB, even of holes, takes far longer than this.
    assert!(
        started.elapsed().as_millis() < 200,
        "{:?}",
        started.elapsed()
    );
    // What the CLI prints: the size and the bound.
    assert_eq!(
        err.to_string(),
        "proof is 2147483648 bytes, more than the 16777216 allowed"
    );
    // One byte over the bound, in memory: refused before decoding.
    let over = vec![0u8; MAX_PROOF_BYTES + 1];
    assert_eq!(
        BatchProof::from_bytes(&over).unwrap_err(),
        ProofDecodeError::TooLarge {
            len: MAX_PROOF_BYTES + 1
        }
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_endless_device_is_read_only_up_to_the_bound() {
    // /dev/zero says it is 0 bytes long and never ends.
    let err = BatchProof::read_file(std::path::Path::new("/dev/zero")).unwrap_err();
    assert_eq!(
        err,
        ProofDecodeError::TooLarge {
            len: MAX_PROOF_BYTES + 1
        }
    );
    let err = BatchProof::read_file(std::path::Path::new("/no/such/proof")).unwrap_err();
    assert!(matches!(err, ProofDecodeError::Io(_)), "{err}");
}

#[test]
fn the_honest_file_verifies_and_a_truncated_one_is_malformed() {
    let pre: Digest = [1, 2, 3, 4, 5, 6, 7, 8];
    let s = Statement {
        domain: Default::default(),
        entries: vec![Entry {
            channel: [3; 32],
            old_tip: poseidon2::hash_n(&pre, 2),
            old_count: 0,
            new_preimage: pre,
            new_count: 2,
        }],
    };
    let bytes = prove(&s).unwrap().to_bytes();
    let dir = tempfile_dir();
    let path = dir.join("batch.proof");
    std::fs::write(&path, &bytes).unwrap();
    verify(&s, &BatchProof::read_file(&path).unwrap()).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = BatchProof::read_file(&path).unwrap_err();
    assert!(matches!(err, ProofDecodeError::Malformed(_)), "{err}");
    std::fs::write(&path, b"").unwrap();
    assert_eq!(
        BatchProof::read_file(&path).unwrap_err(),
        ProofDecodeError::BadMagic
    );
    std::fs::remove_dir_all(dir).unwrap();
}

fn tempfile_dir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "msgl-proof-file-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}
