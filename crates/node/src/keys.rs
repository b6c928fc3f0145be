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
/// acks): the point, and whether it has small order.
/// [`verify`](Self::verify) is msgl's one rule for a signature
/// (docs/DESIGN.md §6.3); [`verify_batch`](Self::verify_batch) decides
/// the same rule for many signatures at once.
#[derive(Debug, Clone)]
pub struct StrictKey {
    key: VerifyingKey,
    point: curve25519_dalek::EdwardsPoint,
    weak: bool,
}

impl StrictKey {
    pub fn new(key: VerifyingKey) -> StrictKey {
        StrictKey {
            point: key.to_edwards(),
            weak: key.is_weak(),
            key,
        }
    }

    /// The key as decoded.
    pub fn key(&self) -> &VerifyingKey {
        &self.key
    }

    /// Whether `sig` (R ‖ s) is this key's signature on `msg`, by msgl's
    /// rule (docs/DESIGN.md §6.3): s canonical (below ℓ), the key not of
    /// small order, R the canonical encoding of a point not of small
    /// order, and the cofactored equation `[8]([s]B − [k]A − R) = 0`,
    /// k = SHA-512(R ‖ A ‖ msg).
    ///
    /// That is ed25519-dalek's `verify_strict` with the cofactored
    /// equation in place of the cofactorless one (as ZIP-215 chose, so
    /// that one signature at a time and [`verify_batch`](Self::verify_batch)
    /// decide alike): everything `verify_strict` accepts, this accepts,
    /// but for an R sent in a non-canonical encoding (y ≥ p) of a point of
    /// large order, which no signer can make without that point's discrete
    /// logarithm (`tests::a_non_canonical_r_is_refused`); and beyond
    /// `verify_strict`, only signatures whose R differs from `[s]B − [k]A`
    /// by a point of small order, which only the key's holder can make
    /// (`tests::the_rule_is_verify_strict_with_the_cofactored_equation`).
    ///
    /// An honest signature takes the short way: `[s]B − [k]A` compresses
    /// to R's bytes (a compression is canonical and decodes to the point
    /// it came from), so R is not decompressed.
    pub fn verify(&self, msg: &[u8], sig: &[u8; 64]) -> bool {
        use curve25519_dalek::{traits::IsIdentity, EdwardsPoint};
        let (r, s) = split(sig);
        let Some(s) = canonical_scalar(s) else {
            return false;
        };
        if self.weak {
            return false;
        }
        let k = self.challenge(r, msg);
        let expected = EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &-self.point, &s);
        if expected.compress().as_bytes() == r {
            return !expected.is_small_order();
        }
        match decode_nonce_point(r) {
            Some(big_r) => (expected - big_r).mul_by_cofactor().is_identity(),
            None => false,
        }
    }

    /// Whether every one of `sigs` (message, signature) passes
    /// [`verify`](Self::verify), decided by one equation: with random
    /// 128-bit z_i from the operating system,
    /// `[8](Σ z_i·R_i + (Σ z_i·k_i)·A − (Σ z_i·s_i)·B) = 0`. When every
    /// signature passes, it holds; when one does not, it holds with
    /// probability at most 2^-128 (each `[8](R_i + [k_i]A − [s_i]B)` lies
    /// in the group of prime order ℓ, and the z_i are drawn after the
    /// signatures are fixed, so no signer can grind for them). This is why
    /// the rule's equation is cofactored: with the cofactorless one, a
    /// small-order part of R_i survives the sum or cancels with the z_i,
    /// and the batch and the single check disagree
    /// (`tests::batch_and_one_by_one_agree_on_every_kind_of_signature`).
    /// About 2.5 times cheaper per signature than `verify` here (BENCHMARKS
    /// "Streams"). An empty list passes; without randomness, nothing does.
    pub fn verify_batch(&self, sigs: &[(&[u8], &[u8; 64])]) -> bool {
        use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
        use curve25519_dalek::{constants::ED25519_BASEPOINT_POINT, EdwardsPoint, Scalar};
        if sigs.is_empty() {
            return true;
        }
        if self.weak {
            return false;
        }
        let mut random = vec![0u8; 16 * sigs.len()];
        if getrandom::getrandom(&mut random).is_err() {
            return false;
        }
        let mut scalars = Vec::with_capacity(sigs.len() + 2);
        let mut points = Vec::with_capacity(sigs.len() + 2);
        let (mut zs, mut zk) = (Scalar::ZERO, Scalar::ZERO);
        for ((msg, sig), z) in sigs.iter().zip(random.chunks_exact(16)) {
            let (r, s) = split(sig);
            let (Some(s), Some(big_r)) = (canonical_scalar(s), decode_nonce_point(r)) else {
                return false;
            };
            let k = self.challenge(r, msg);
            let mut wide = [0u8; 32];
            wide[..16].copy_from_slice(z);
            let z = Scalar::from_bytes_mod_order(wide);
            zs += z * s;
            zk += z * k;
            scalars.push(z);
            points.push(big_r);
        }
        scalars.push(zk);
        points.push(self.point);
        scalars.push(-zs);
        points.push(ED25519_BASEPOINT_POINT);
        EdwardsPoint::vartime_multiscalar_mul(scalars, points)
            .mul_by_cofactor()
            .is_identity()
    }

    /// Which of `sigs` pass [`verify`](Self::verify): all of them when
    /// [`verify_batch`](Self::verify_batch) says so, else each on its own
    /// (a refused signature costs the batch and then one check each).
    pub fn verify_each(&self, sigs: &[(&[u8], &[u8; 64])]) -> Vec<bool> {
        if self.verify_batch(sigs) {
            vec![true; sigs.len()]
        } else {
            sigs.iter().map(|(m, s)| self.verify(m, s)).collect()
        }
    }

    /// k = SHA-512(R ‖ A ‖ msg), reduced.
    fn challenge(&self, r: &[u8; 32], msg: &[u8]) -> curve25519_dalek::Scalar {
        use sha2::{Digest, Sha512};
        curve25519_dalek::Scalar::from_hash(
            Sha512::new()
                .chain_update(r)
                .chain_update(self.key.as_bytes())
                .chain_update(msg),
        )
    }
}

fn split(sig: &[u8; 64]) -> (&[u8; 32], &[u8; 32]) {
    let (r, s) = sig.split_at(32);
    (
        r.try_into().expect("32 bytes"),
        s.try_into().expect("32 bytes"),
    )
}

fn canonical_scalar(s: &[u8; 32]) -> Option<curve25519_dalek::Scalar> {
    curve25519_dalek::Scalar::from_canonical_bytes(*s).into()
}

/// R decoded as the rule takes it: y below p (the encodings of y in
/// [p, 2^255) are refused; curve25519-dalek would reduce them), on the
/// curve, and not of small order (which also refuses the two points with
/// x = 0, the only ones a sign bit could encode twice).
fn decode_nonce_point(r: &[u8; 32]) -> Option<curve25519_dalek::EdwardsPoint> {
    let y_at_least_p = r[31] & 0x7f == 0x7f && r[1..31].iter().all(|&b| b == 0xff) && r[0] >= 0xed;
    if y_at_least_p {
        return None;
    }
    let point = curve25519_dalek::edwards::CompressedEdwardsY(*r).decompress()?;
    (!point.is_small_order()).then_some(point)
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

    /// A signature to decide: key, message, signature, and whether its R
    /// is `[r]B + T` for a point T of small order other than the identity
    /// (s made for it by the key's holder).
    type Case = (VerifyingKey, Vec<u8>, [u8; 64], bool);

    /// Good signatures and every kind of bad one: a bit flipped anywhere,
    /// s not reduced, R of small order (each of the eight, canonical or
    /// not), R with a small-order component, the identity as R with s =
    /// k·a (the cofactorless equation holds), and keys of small order.
    fn cases() -> Vec<Case> {
        let mut cases: Vec<Case> = Vec::new();
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
            cases.push((vk, msg.clone(), good, false));
            for bit in (0..512).step_by(7) {
                let mut bad = good;
                bad[bit / 8] ^= 1 << (bit % 8);
                cases.push((vk, msg.clone(), bad, false));
            }
            // s + ℓ: the same point equation, s not canonical.
            let mut unreduced = good;
            let mut carry = 0u16;
            for i in 0..32 {
                let t = unreduced[32 + i] as u16 + l[i] as u16 + carry;
                unreduced[32 + i] = t as u8;
                carry = t >> 8;
            }
            cases.push((vk, msg.clone(), unreduced, false));
            for (i, t) in EIGHT_TORSION.iter().enumerate() {
                // R of small order, with any s.
                let mut sig = good;
                sig[..32].copy_from_slice(t.compress().as_bytes());
                cases.push((vk, msg.clone(), sig, false));
                // R = [r]B + T, s made for it.
                let r = Scalar::from_bytes_mod_order([(seed << 3 | i as u8) + 1; 32]);
                cases.push((
                    vk,
                    msg.clone(),
                    forge(&a, vk.as_bytes(), &msg, r, *t),
                    i > 0,
                ));
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
                false,
            ));
            // Non-canonical encodings of small-order points (y = p, p + 1).
            for y in [[0xedu8, 0xff], [0xee, 0xff]] {
                let mut enc = [0xffu8; 32];
                enc[0] = y[0];
                enc[31] = 0x7f;
                let mut sig = good;
                sig[..32].copy_from_slice(&enc);
                cases.push((vk, msg.clone(), sig, false));
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
                    false,
                ));
            }
        }
        cases
    }

    /// `StrictKey::verify` against ed25519-dalek's `verify_strict` on
    /// every case: the same answer, except that an R carrying a point of
    /// small order, with s made for it by the key's holder, is accepted
    /// (the cofactored equation), where `verify_strict` refuses it.
    #[test]
    fn the_rule_is_verify_strict_with_the_cofactored_equation() {
        let cases = cases();
        let (mut accepted, mut refused, mut mixed) = (0, 0, 0);
        for (vk, msg, sig, mixed_order) in &cases {
            let strict = strict_says(vk, msg, sig);
            assert!(!(strict && *mixed_order));
            let want = strict || *mixed_order;
            assert_eq!(
                StrictKey::new(*vk).verify(msg, sig),
                want,
                "key {} sig {}",
                hex::encode(vk.as_bytes()),
                hex::encode(sig)
            );
            match (want, mixed_order) {
                (true, true) => mixed += 1,
                (true, false) => accepted += 1,
                _ => refused += 1,
            }
        }
        // Per key: the good signature, and the forged one whose extra point
        // is the identity (the first of the eight); the seven others are
        // the mixed-order ones.
        assert_eq!(accepted, 16, "the good signatures");
        assert_eq!(mixed, 8 * 7, "R with a small-order part");
        assert!(refused > 8 * 80, "{refused}");
        // The forged R = identity is one the cofactorless equation alone
        // would accept; the rule refuses it (R of small order).
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
        assert!(!StrictKey::new(sk.verifying_key()).verify(b"m", &forged));
    }

    /// The batch decides as one by one: each case alone, and each case
    /// among good signatures of its key (before, between and after them),
    /// passes the batch exactly when `verify` accepts it; `verify_each`
    /// on all of a key's cases at once gives `verify`'s answers.
    #[test]
    fn batch_and_one_by_one_agree_on_every_kind_of_signature() {
        let cases = cases();
        let mut keys: Vec<VerifyingKey> = cases.iter().map(|c| c.0).collect();
        keys.dedup();
        for vk in keys {
            let key = StrictKey::new(vk);
            let mine: Vec<&Case> = cases.iter().filter(|c| c.0 == vk).collect();
            let goods: Vec<(&[u8], &[u8; 64])> = mine
                .iter()
                .filter(|c| key.verify(&c.1, &c.2))
                .map(|c| (c.1.as_slice(), &c.2))
                .take(2)
                .collect();
            for (_, msg, sig, _) in &mine {
                let want = key.verify(msg, sig);
                assert_eq!(key.verify_batch(&[(msg, sig)]), want);
                let mut run = goods.clone();
                run.insert(run.len() / 2, (msg.as_slice(), sig));
                run.push(run[0]);
                assert_eq!(key.verify_batch(&run), want, "sig {}", hex::encode(sig));
            }
            let all: Vec<(&[u8], &[u8; 64])> =
                mine.iter().map(|c| (c.1.as_slice(), &c.2)).collect();
            let one_by_one: Vec<bool> = all.iter().map(|(m, s)| key.verify(m, s)).collect();
            assert_eq!(key.verify_each(&all), one_by_one);
            let passing: Vec<(&[u8], &[u8; 64])> = all
                .iter()
                .zip(&one_by_one)
                .filter(|(_, ok)| **ok)
                .map(|(c, _)| *c)
                .collect();
            assert!(key.verify_batch(&passing));
            assert!(key.verify_batch(&[]));
        }
    }

    /// R in a non-canonical encoding (y + p for a small y): refused,
    /// where curve25519-dalek's decompression reduces it to a point.
    #[test]
    fn a_non_canonical_r_is_refused() {
        use curve25519_dalek::edwards::CompressedEdwardsY;
        let mut seen = 0;
        for y in 0u8..19 {
            let mut enc = [0xffu8; 32];
            enc[31] = 0x7f;
            enc[0] = 0xed + y; // p + y, y < 19
            for sign in [0u8, 0x80] {
                let mut e = enc;
                e[31] |= sign;
                if CompressedEdwardsY(e).decompress().is_some() {
                    seen += 1;
                    assert!(decode_nonce_point(&e).is_none(), "y = p + {y}");
                }
                let mut canonical = [0u8; 32];
                canonical[0] = y;
                canonical[31] |= sign;
                if let Some(p) = CompressedEdwardsY(canonical).decompress() {
                    assert_eq!(
                        decode_nonce_point(&canonical).is_some(),
                        !p.is_small_order()
                    );
                }
            }
        }
        assert!(seen > 0, "some y + p decodes to a point");
    }
}
