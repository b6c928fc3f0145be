//! Writes a batch directory for the proof benchmark: `gen_batch UNITS
//! CHANNELS DIR` writes, for each of CHANNELS channels from one payer to
//! one payee, the latest signed ack (its cumulative units summing to
//! UNITS over the channels), as `msgl prove` reads them.

use msgl_circuits::poseidon2;
use msgl_node::hashchain;
use msgl_node::objects::ack::AckFields;
use msgl_node::objects::Ack;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: gen_batch UNITS CHANNELS DIR");
        std::process::exit(2);
    }
    let units: u64 = args[1].parse().expect("UNITS");
    let channels: u64 = args[2].parse().expect("CHANNELS");
    let dir = std::path::Path::new(&args[3]);
    std::fs::create_dir_all(dir).expect("create DIR");
    let payer = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let payee = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32])
        .verifying_key()
        .to_bytes();
    for c in 0..channels {
        let n = units / channels + u64::from(c < units % channels);
        // The whole channel is used: the ack's preimage is the seed w_n.
        let seed = hashchain::seed(&payer.to_bytes(), &payee, c + 1);
        let ack = Ack::signed(
            &payer,
            AckFields {
                channel: poseidon2::pack(&poseidon2::hash_n(&seed, n)),
                payee,
                nonce: n,
                message: [c as u8; 32],
                price: 1,
                cumulative: n,
                preimage: poseidon2::pack(&seed),
            },
        );
        std::fs::write(dir.join(format!("ch{c:04}.yaml")), ack.to_yaml()).expect("write");
    }
}
