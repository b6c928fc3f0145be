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

/// A signer's key decoded once to check many of its signatures (a payer's
/// acks): the point, negated as the check uses it, and whether it has small
/// order. [`verify_strict`](Self::verify_strict) decides exactly as
/// ed25519-dalek's `VerifyingKey::verify_strict` (docs/DESIGN.md D3,
/// "Streams"), with one field inversion fewer per signature.
#[derive(Debug, Clone)]
pub struct StrictKey {
    key: VerifyingKey,
    minus_a: curve25519_dalek::EdwardsPoint,
    weak: bool,
}

impl StrictKey {
    pub fn new(key: VerifyingKey) -> StrictKey {
        StrictKey {
            minus_a: -key.to_edwards(),
            weak: key.is_weak(),
            key,
        }
    }

    /// The key as decoded.
    pub fn key(&self) -> &VerifyingKey {
        &self.key
    }

    /// Whether `sig` (R ‖ s) is this key's signature on `msg`, decided as
    /// `VerifyingKey::verify_strict` decides: s canonical, the key not of
    /// small order, R decoding to a point not of small order, and
    /// `[s]B − [k]A` compressing to R's bytes, k = SHA-512(R ‖ A ‖ msg).
    ///
    /// `verify_strict` decompresses R to test its order; here the order
    /// test is made on R' = `[s]B − [k]A` once its compression equals R's
    /// bytes. Whatever this accepts, `verify_strict` accepts: a
    /// compression is canonical and decompresses to the point it came
    /// from, so when R's bytes equal R' compressed, R decodes to R'
    /// itself. The one difference is stricter: an R sent in a
    /// non-canonical encoding (y ≥ p) of a point of large order, which
    /// `verify_strict` compares as a point, is refused here; no signer can
    /// make such a signature without that point's discrete logarithm.
    /// Tested against
    /// `verify_strict` on small-order, mixed-order, non-canonical and
    /// mangled signatures (`tests::strict_key_decides_as_verify_strict`).
    pub fn verify_strict(&self, msg: &[u8], sig: &[u8; 64]) -> bool {
        use curve25519_dalek::{EdwardsPoint, Scalar};
        use sha2::{Digest, Sha512};
        let (r, s) = sig.split_at(32);
        let s: [u8; 32] = s.try_into().expect("32 bytes");
        let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s)) else {
            return false;
        };
        if self.weak {
            return false;
        }
        let k = Scalar::from_hash(
            Sha512::new()
                .chain_update(r)
                .chain_update(self.key.as_bytes())
                .chain_update(msg),
        );
        let expected = EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &self.minus_a, &s);
        expected.compress().as_bytes() == r && !expected.is_small_order()
    }
}

/// A [`StrictKey`] from 32 bytes, as a check failure if it is not a point.
pub fn strict(key: &PublicKey) -> Result<StrictKey> {
    verifying(key).map(StrictKey::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::{ED25519_BASEPOINT_TABLE, EIGHT_TORSION};
    use curve25519_dalek::{EdwardsPoint, Scalar};
    use ed25519_dalek::{Signature, Signer, Verifier};
    use sha2::{Digest, Sha512};

    fn strict_says(key: &VerifyingKey, msg: &[u8], sig: &[u8; 64]) -> bool {
        key.verify_strict(msg, &Signature::from_bytes(sig)).is_ok()
    }

    /// A signature by the secret scalar `a` of `key` with nonce point R
    /// = [r]B + `extra`: what a payer grinding for a lenient check makes.
    fn forge(a: &Scalar, key: &[u8; 32], msg: &[u8], r: Scalar, extra: EdwardsPoint) -> [u8; 64] {
        let big_r = (ED25519_BASEPOINT_TABLE * &r + extra).compress();
        let k = Scalar::from_hash(
            Sha512::new()
                .chain_update(big_r.as_bytes())
                .chain_update(key)
                .chain_update(msg),
        );
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(big_r.as_bytes());
        sig[32..].copy_from_slice((r + k * a).as_bytes());
        sig
    }

    /// `StrictKey::verify_strict` against ed25519-dalek's
    /// `verify_strict` on good signatures and on every kind of bad one:
    /// a bit flipped anywhere, s not reduced, R of small order (each of
    /// the eight, canonical or not), R with a small-order component, the
    /// identity as R with s = k·a (the cofactorless equation holds), and
    /// keys of small order (every signature refused).
    #[test]
    fn strict_key_decides_as_verify_strict() {
        let mut cases: Vec<(VerifyingKey, Vec<u8>, [u8; 64])> = Vec::new();
        let l = {
            // The group order ℓ, little-endian.
            let mut b = [0u8; 32];
            b[..16].copy_from_slice(&0x14def9dea2f79cd65812631a5cf5d3edu128.to_le_bytes());
            b[31] = 0x10;
            b
        };
        for seed in 0..8u8 {
            let sk = SigningKey::from_bytes(&[seed + 1; 32]);
            let vk = sk.verifying_key();
            let a = sk.to_scalar();
            let msg = vec![seed; 40 + seed as usize];
            let good = sk.sign(&msg).to_bytes();
            cases.push((vk, msg.clone(), good));
            for bit in (0..512).step_by(7) {
                let mut bad = good;
                bad[bit / 8] ^= 1 << (bit % 8);
                cases.push((vk, msg.clone(), bad));
            }
            // s + ℓ: the same point equation, s not canonical.
            let mut unreduced = good;
            let mut carry = 0u16;
            for i in 0..32 {
                let t = unreduced[32 + i] as u16 + l[i] as u16 + carry;
                unreduced[32 + i] = t as u8;
                carry = t >> 8;
            }
            cases.push((vk, msg.clone(), unreduced));
            for (i, t) in EIGHT_TORSION.iter().enumerate() {
                // R of small order, with any s.
                let mut sig = good;
                sig[..32].copy_from_slice(t.compress().as_bytes());
                cases.push((vk, msg.clone(), sig));
                // R = [r]B + T, s made for it.
                let r = Scalar::from_bytes_mod_order([(seed << 3 | i as u8) + 1; 32]);
                cases.push((vk, msg.clone(), forge(&a, vk.as_bytes(), &msg, r, *t)));
            }
            // R the identity, s = k·a: [s]B − [k]A is R.
            cases.push((
                vk,
                msg.clone(),
                forge(
                    &a,
                    vk.as_bytes(),
                    &msg,
                    Scalar::ZERO,
                    EdwardsPoint::default(),
                ),
            ));
            // Non-canonical encodings of small-order points (y = p, p + 1).
            for y in [[0xedu8, 0xff], [0xee, 0xff]] {
                let mut enc = [0xffu8; 32];
                enc[0] = y[0];
                enc[31] = 0x7f;
                let mut sig = good;
                sig[..32].copy_from_slice(&enc);
                cases.push((vk, msg.clone(), sig));
            }
        }
        // Keys of small order: signatures whose equation holds for them.
        for t in EIGHT_TORSION.iter() {
            let Ok(vk) = VerifyingKey::from_bytes(t.compress().as_bytes()) else {
                continue;
            };
            for i in 0..16u8 {
                let r = Scalar::from_bytes_mod_order([i + 1; 32]);
                // s = r: holds when [k]T is the identity.
                let msg = vec![i; 10];
                cases.push((
                    vk,
                    msg.clone(),
                    forge(
                        &Scalar::ZERO,
                        vk.as_bytes(),
                        &msg,
                        r,
                        EdwardsPoint::default(),
                    ),
                ));
            }
        }
        let (mut accepted, mut refused) = (0, 0);
        for (vk, msg, sig) in &cases {
            let want = strict_says(vk, msg, sig);
            assert_eq!(
                StrictKey::new(*vk).verify_strict(msg, sig),
                want,
                "key {} sig {}",
                hex::encode(vk.as_bytes()),
                hex::encode(sig)
            );
            if want {
                accepted += 1
            } else {
                refused += 1
            }
        }
        // The cases reach both answers, and the forged R = identity is
        // one the cofactorless equation alone would accept.
        // Per key: the good signature, and the forged one whose extra point
        // is the identity (the first of the eight).
        assert_eq!(accepted, 16, "the good signatures");
        assert!(refused > 8 * 80, "{refused}");
        let sk = SigningKey::from_bytes(&[1; 32]);
        let forged = forge(
            &sk.to_scalar(),
            sk.verifying_key().as_bytes(),
            b"m",
            Scalar::ZERO,
            EdwardsPoint::default(),
        );
        let lenient = sk
            .verifying_key()
            .verify(b"m", &Signature::from_bytes(&forged));
        assert!(
            lenient.is_ok(),
            "the cofactorless check accepts R = identity"
        );
        assert!(!StrictKey::new(sk.verifying_key()).verify_strict(b"m", &forged));
    }
}
