//! Writes the costliest ack a known payer can make its payee check: price
//! = the channel's max_price, a preimage that is no element of the chain
//! (so the payee hashes max_price times before refusing it). `hostile_ack
//! PAYER_HOME OPEN_FILE OUT` — for benches/hostile-accept.sh.

use msgl_node::objects::ack::AckFields;
use msgl_node::objects::{Ack, Open};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: hostile_ack PAYER_HOME OPEN_FILE OUT");
        std::process::exit(2);
    }
    let key = msgl_node::keys::load(&std::path::Path::new(&args[1]).join("keys/node.key"))
        .expect("the payer's key");
    let open =
        Open::from_yaml(&std::fs::read_to_string(&args[2]).expect("OPEN_FILE")).expect("an open");
    let ack = Ack::signed(
        &key,
        AckFields {
            channel: open.channel,
            payee: open.payee,
            nonce: 1,
            message: [0x66; 32],
            price: open.max_price,
            cumulative: open.max_price,
            preimage: [0x12; 32],
        },
    );
    std::fs::write(&args[3], ack.to_yaml()).expect("write OUT");
}
