//! The node's ed25519 key (DESIGN §4.6): `keys/node.key`, the 32-byte secret
//! in hex on one line, mode 0600. Like ssh, a key file that group or others
//! may read (or write), or a symlink in its place, is refused.

use std::io::Read;
use std::path::{Path, PathBuf};

use ed25519_dalek::{SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::home::Home;

/// Where the key lives in a home.
pub const KEY_FILE: &str = "keys/node.key";
/// The node's EVM (secp256k1) key: it receives settlements and signs the
/// acceptance of a channel's terms (docs/DESIGN.md §4.6).
pub const EVM_KEY_FILE: &str = "keys/evm.key";
/// Or the EVM key in an Ethereum v3 keystore (scrypt or pbkdf2, AES-128-CTR:
/// what `geth account new`, `cast wallet new` and clef write), mode 0600.
pub const EVM_KEYSTORE_FILE: &str = "keys/evm.json";
/// The keystore's password in a file (mode 0600; one line, the trailing
/// newline is not part of it) ...
pub const EVM_PASSWORD_FILE: &str = "keys/evm.password";
/// ... or in this environment variable (the file wins when both are there).
pub const EVM_PASSWORD_ENV: &str = "MSGL_EVM_PASSWORD";

/// A public key (ed25519, 32 bytes).
pub type PublicKey = [u8; 32];

impl Home {
    pub fn key_path(&self) -> PathBuf {
        self.root.join(KEY_FILE)
    }

    /// Loads the node's signing key, refusing an unprotected or symlinked file.
    pub fn signing_key(&self) -> Result<SigningKey> {
        load(&self.key_path())
    }

    /// The node's public key.
    pub fn public_key(&self) -> Result<PublicKey> {
        Ok(self.signing_key()?.verifying_key().to_bytes())
    }

    pub fn evm_key_path(&self) -> PathBuf {
        self.root.join(EVM_KEY_FILE)
    }

    /// Loads the node's EVM key: `keys/evm.key`, or the keystore
    /// `keys/evm.json` with its password ([`EVM_PASSWORD_FILE`] or
    /// [`EVM_PASSWORD_ENV`]); refuses an unprotected or symlinked file, and
    /// a home with both (which one would be meant?).
    pub fn evm_signer(&self) -> Result<alloy_signer_local::PrivateKeySigner> {
        let keystore = self.root.join(EVM_KEYSTORE_FILE);
        let has_keystore = std::fs::symlink_metadata(&keystore).is_ok();
        let has_key = std::fs::symlink_metadata(self.evm_key_path()).is_ok();
        match (has_key, has_keystore) {
            (true, true) => Err(Error::input(format!(
                "both {EVM_KEY_FILE} and {EVM_KEYSTORE_FILE}: which is this node's EVM key?"
            ))
            .in_file(&keystore)
            .hint("keep one of them")),
            (false, true) => load_keystore(&keystore, &self.root.join(EVM_PASSWORD_FILE)),
            _ => load_evm(&self.evm_key_path()),
        }
    }

    /// The node's EVM address, if it has an EVM key.
    pub fn evm_address(&self) -> Result<Option<[u8; 20]>> {
        if std::fs::symlink_metadata(self.evm_key_path()).is_err()
            && std::fs::symlink_metadata(self.root.join(EVM_KEYSTORE_FILE)).is_err()
        {
            return Ok(None);
        }
        Ok(Some(self.evm_signer()?.address().0 .0))
    }
}

/// A fresh EVM key (secp256k1) from the operating system's random source.
pub fn generate_evm() -> Result<Zeroizing<[u8; 32]>> {
    loop {
        let mut secret = Zeroizing::new([0u8; 32]);
        getrandom::getrandom(secret.as_mut())
            .map_err(|e| Error::input(format!("no randomness from the operating system: {e}")))?;
        // Below the curve order and not zero: almost always the first time.
        if alloy_signer_local::PrivateKeySigner::from_slice(secret.as_ref()).is_ok() {
            return Ok(secret);
        }
    }
}

/// Reads an EVM key file (64 hex digits, mode 0600, not a symlink).
pub fn load_evm(path: &Path) -> Result<alloy_signer_local::PrivateKeySigner> {
    let secret = read_secret(path)?;
    alloy_signer_local::PrivateKeySigner::from_slice(secret.as_ref()).map_err(|_| {
        Error::input("the EVM key file does not hold a secp256k1 secret key").in_file(path)
    })
}

/// Largest keystore read (a v3 keystore is about 500 bytes).
const MAX_KEYSTORE_BYTES: u64 = 64 << 10;

/// Decrypts an Ethereum v3 keystore (mode 0600, not a symlink) with the
/// password of `password_file` (mode 0600) or, when there is no such file,
/// of [`EVM_PASSWORD_ENV`]. Neither the password nor the key is ever
/// printed; a wrong password is a refusal naming the file only.
pub fn load_keystore(
    path: &Path,
    password_file: &Path,
) -> Result<alloy_signer_local::PrivateKeySigner> {
    let mut file = open_private(path)?;
    let mut json = Zeroizing::new(Vec::new());
    (&mut file)
        .take(MAX_KEYSTORE_BYTES + 1)
        .read_to_end(&mut json)
        .map_err(|e| Error::io(path, e))?;
    if json.len() as u64 > MAX_KEYSTORE_BYTES {
        return Err(Error::input("too large for a keystore").in_file(path));
    }
    let password = if std::fs::symlink_metadata(password_file).is_ok() {
        let mut f = open_private(password_file)?;
        let mut text = Zeroizing::new(String::new());
        f.read_to_string(&mut text)
            .map_err(|e| Error::io(password_file, e))?;
        let line = text.strip_suffix('\n').unwrap_or(&text);
        let line = line.strip_suffix('\r').unwrap_or(line);
        Zeroizing::new(line.to_owned())
    } else {
        match std::env::var(EVM_PASSWORD_ENV) {
            Ok(p) => Zeroizing::new(p),
            Err(_) => {
                return Err(Error::input("the EVM keystore's password is not given")
                    .in_file(path)
                    .hint(format!(
                        "put it in {EVM_PASSWORD_FILE} (mode 0600) or in ${EVM_PASSWORD_ENV}"
                    )))
            }
        }
    };
    serde_json::from_slice::<serde_json::Value>(&json)
        .map_err(|_| Error::input("not an Ethereum v3 keystore (JSON)").in_file(path))?;
    // eth-keystore opens the file again by its path (checked above).
    alloy_signer_local::PrivateKeySigner::decrypt_keystore(path, password.as_bytes()).map_err(|e| {
        match e {
            alloy_signer_local::LocalSignerError::EthKeystoreError(k)
                if k.to_string() == "Mac Mismatch" =>
            {
                Error::check("wrong password for the EVM keystore")
                    .in_file(path)
                    .hint(format!(
                        "the password is read from {EVM_PASSWORD_FILE} or ${EVM_PASSWORD_ENV}"
                    ))
            }
            _ => Error::input("not a readable Ethereum v3 keystore").in_file(path),
        }
    })
}

/// A fresh key from the operating system's random source.
pub fn generate() -> Result<SigningKey> {
    let mut secret = Zeroizing::new([0u8; 32]);
    getrandom::getrandom(secret.as_mut())
        .map_err(|e| Error::input(format!("no randomness from the operating system: {e}")))?;
    Ok(SigningKey::from_bytes(&secret))
}

/// The key file's text: the secret in hex and a newline.
pub fn encode(key: &SigningKey) -> Zeroizing<String> {
    Zeroizing::new(format!("{}\n", hex::encode(key.to_bytes())))
}

/// Reads a key file. Refuses a symlink, a file that group or others may
/// access, and anything but 64 hex digits.
pub fn load(path: &Path) -> Result<SigningKey> {
    Ok(SigningKey::from_bytes(&*read_secret(path)?))
}

/// The key file's text for a 32-byte secret: hex and a newline.
pub fn encode_secret(secret: &[u8; 32]) -> Zeroizing<String> {
    Zeroizing::new(format!("{}\n", hex::encode(secret)))
}

/// Reads a 32-byte secret kept as 64 hex digits in a file only its owner
/// may access (refusing a symlink, any group/other permission bit, or a
/// file swapped between the check and the open).
pub fn read_secret(path: &Path) -> Result<Zeroizing<[u8; 32]>> {
    if let Err(e) = std::fs::symlink_metadata(path) {
        return Err(if e.kind() == std::io::ErrorKind::NotFound {
            Error::input("no key file")
                .in_file(path)
                .hint("run `msgl init --name NAME` to create a node home")
        } else {
            Error::io(path, e)
        });
    }
    let mut file = open_private(path)?;
    let mut text = Zeroizing::new(String::new());
    file.read_to_string(&mut text)
        .map_err(|e| Error::io(path, e))?;
    let hexed = text.trim();
    let mut secret = Zeroizing::new([0u8; 32]);
    if hexed.len() != 64 || hex::decode_to_slice(hexed, secret.as_mut()).is_err() {
        return Err(
            Error::input("the key file is not a key (64 hex digits expected)").in_file(path),
        );
    }
    Ok(secret)
}

/// Checks that a secret file (a key, a hash chain's checkpoints) is a
/// regular file, not a symlink, that only its owner may access; returns it
/// opened.
pub fn open_private(path: &Path) -> Result<std::fs::File> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.file_type().is_symlink() || !meta.is_file() {
        return Err(Error::input(
            "a secret file (key, chain) that is a symlink or not a regular file; refused",
        )
        .in_file(path)
        .hint("put the file itself there, mode 0600"));
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let opened = file.metadata().map_err(|e| Error::io(path, e))?;
        if opened.ino() != meta.ino() || opened.dev() != meta.dev() {
            return Err(Error::input("the file changed while being opened; refused").in_file(path));
        }
        let mode = opened.mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(Error::input(format!(
                "a secret file accessible by group or others (mode {mode:04o}); refused"
            ))
            .in_file(path)
            .hint(format!("chmod 600 {}", path.display())));
        }
    }
    Ok(file)
}

/// Parses a public key given in hex (64 digits, optional `0x`) and checks it
/// is a valid ed25519 point.
pub fn parse_public(text: &str) -> Result<PublicKey> {
    let h = text.trim();
    let h = h.strip_prefix("0x").unwrap_or(h);
    let mut key = [0u8; 32];
    if h.len() != 64 || hex::decode_to_slice(h, &mut key).is_err() {
        return Err(Error::input(format!("bad public key `{text}`"))
            .hint("64 hex digits, as printed by `msgl id`"));
    }
    VerifyingKey::from_bytes(&key).map_err(|_| {
        Error::input(format!("`{text}` is not a valid ed25519 public key"))
            .hint("copy it from the peer's `msgl id`")
    })?;
    Ok(key)
}

/// A verifying key from 32 bytes, as a check failure if it is not a point.
pub fn verifying(key: &PublicKey) -> Result<VerifyingKey> {
    VerifyingKey::from_bytes(key)
        .map_err(|_| Error::check(format!("{} is not a valid ed25519 key", hex::encode(key))))
}
