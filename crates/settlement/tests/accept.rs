//! The payee's acceptance (EIP-712 `Accept`, docs/DESIGN.md §9.3): the digest
//! `msgl_settlement::acceptance_digest` computes is the contract's, a real
//! secp256k1 signature of it opens the channel, and no altered term, other
//! deployment, other key or malformed signature does.

use crate::common;

use alloy_primitives::{Address, B256, U256};
use alloy_signer::SignerSync;
use common::*;
use msgl_settlement::evm::CHAIN_ID;
use msgl_settlement::system::OpenChannel;
use msgl_settlement::{acceptance_digest, sign_acceptance, Accept, MsglSettlement};

/// secp256k1's group order.
const ORDER: U256 = U256::from_be_slice(&[
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
]);

#[test]
fn the_digest_is_the_contracts_and_a_real_signature_opens_exactly_the_signed_terms() {
    let (mut chain, system) = setup();
    let (alice, bob) = (alice(), bob());
    fund(&mut chain, &system, alice, u(100 * PRICE));
    let pw = PayWord::new(7, 500);
    let accept = system.accept(
        alice,
        &OpenChannel {
            payee: bob,
            anchor: pw.id(),
            units: pw.n,
            unit_price: u128::from(PRICE),
            escrow: p(40),
        },
    );
    let digest = acceptance_digest(CHAIN_ID, system.settlement.address, &accept);
    let on_chain = chain
        .read(
            system.settlement.address,
            &MsglSettlement::acceptDigestCall {
                channel: accept.channel,
                payer: accept.payer,
                payee: accept.payee,
                units: accept.units,
                unitPrice: accept.unitPrice,
                escrow: accept.escrow,
            },
        )
        .unwrap();
    assert_eq!(on_chain, digest);
    let separator = chain
        .read(
            system.settlement.address,
            &MsglSettlement::domainSeparatorCall {},
        )
        .unwrap();
    assert_eq!(
        separator,
        msgl_settlement::eip712_domain(CHAIN_ID, system.settlement.address).separator()
    );

    // Every term, the token, the chain and the contract change the digest:
    // a signature of anything else is not Bob's acceptance of these terms.
    let mut others: Vec<(&str, B256)> = Vec::new();
    let mut push = |what, a: &Accept| {
        others.push((
            what,
            acceptance_digest(CHAIN_ID, system.settlement.address, a),
        ))
    };
    push(
        "channel",
        &Accept {
            channel: B256::repeat_byte(1),
            ..accept.clone()
        },
    );
    push(
        "payer",
        &Accept {
            payer: carol(),
            ..accept.clone()
        },
    );
    push(
        "payee",
        &Accept {
            payee: carol(),
            ..accept.clone()
        },
    );
    push(
        "token",
        &Accept {
            token: Address::repeat_byte(9),
            ..accept.clone()
        },
    );
    push(
        "units",
        &Accept {
            units: accept.units - 1,
            ..accept.clone()
        },
    );
    push(
        "unit price",
        &Accept {
            unitPrice: accept.unitPrice + 1,
            ..accept.clone()
        },
    );
    push(
        "escrow",
        &Accept {
            escrow: 0,
            ..accept.clone()
        },
    );
    others.push((
        "chain",
        acceptance_digest(CHAIN_ID + 1, system.settlement.address, &accept),
    ));
    others.push((
        "contract",
        acceptance_digest(CHAIN_ID, system.token.address, &accept),
    ));
    for (what, other) in &others {
        assert_ne!(*other, digest, "{what}");
        // Bob's signature of that digest does not open these terms.
        let sig = key_of(bob).sign_hash_sync(other).unwrap().as_bytes();
        let r = system.open_channel(&mut chain, alice, &accept, &sig);
        assert!(
            r.as_ref()
                .is_err_and(|e| e.is::<MsglSettlement::NotAcceptedByPayee>()),
            "signed with another {what}: {r:?}"
        );
    }

    // Someone else's signature of the right digest: not Bob's.
    let carols = key_of(carol()).sign_hash_sync(&digest).unwrap().as_bytes();
    let e: MsglSettlement::NotAcceptedByPayee =
        expect_revert(system.open_channel(&mut chain, alice, &accept, &carols));
    assert_eq!((e.signer, e.payee), (carol(), bob));

    let sig = sign_acceptance(&key_of(bob), CHAIN_ID, system.settlement.address, &accept).unwrap();
    assert!(sig[64] == 27 || sig[64] == 28);
    // Malformed: the malleable twin (s -> n - s, v flipped), v not 27/28,
    // 64 or 66 bytes, all zero.
    let s = U256::from_be_slice(&sig[32..64]);
    let mut twin = sig;
    twin[32..64].copy_from_slice(&(ORDER - s).to_be_bytes::<32>());
    twin[64] = if sig[64] == 27 { 28 } else { 27 };
    let mut bad: Vec<Vec<u8>> = vec![twin.to_vec()];
    for v in [0u8, 1, 29] {
        let mut b = sig;
        b[64] = v;
        bad.push(b.to_vec());
    }
    bad.push(sig[..64].to_vec());
    bad.push([&sig[..], &[0]].concat());
    bad.push(vec![0; 65]);
    for b in bad {
        let r = system.open_channel(&mut chain, alice, &accept, &b);
        assert!(
            r.as_ref()
                .is_err_and(|e| e.is::<MsglSettlement::InvalidSignature>()),
            "{}: {r:?}",
            alloy_primitives::hex::encode(&b)
        );
    }

    // The honest signature opens the channel with exactly these terms.
    let out = system
        .open_channel(&mut chain, alice, &accept, &sig)
        .expect("openChannel");
    let opened = out.events::<MsglSettlement::ChannelOpened>();
    assert_eq!(
        (
            opened[0].payer,
            opened[0].payee,
            opened[0].units,
            opened[0].unitPrice,
            opened[0].escrow
        ),
        (alice, bob, pw.n, u128::from(PRICE), p(40))
    );
    // Terms whose whole chain is worth 2^128 or more are refused.
    let big = system.accept(
        alice,
        &OpenChannel {
            payee: bob,
            anchor: PayWord::new(8, 5).id(),
            units: u64::MAX,
            unit_price: u128::MAX / 2,
            escrow: 0,
        },
    );
    let sig = sign(&system, &big);
    expect_revert::<MsglSettlement::TermsTooLarge>(
        system.open_channel(&mut chain, alice, &big, &sig),
    );
}
