//! The protocol: every rule for channel opens, acks, reconciliations and
//! the bookkeeping of settlements, over the store (`crate::store`), which
//! owns the home's files. Each refusal is one [`Refusal`] variant; the CLI
//! modules only parse, call one function here and print
//! (docs/DESIGN.md §6).
//!
//! The rule that keeps money from being stranded (DESIGN §6.1): a channel's hash
//! chain orders everything. An ack is valid when it continues its
//! channel's chain (nonce above the last, cumulative = previous + price,
//! `H^price(preimage)` = the previous preimage); nothing else — no period,
//! no epoch — can make a payee refuse it, so every ack a payee accepted
//! stays provable and settleable on chain from any count settled before
//! it, and no order of reconciliations can wedge a channel. A
//! reconciliation is a checkpoint of each channel (count and tip) and a
//! netting of the two books; it never changes what an ack is worth.

pub mod ack;
pub mod channel;
pub mod evidence;
pub mod open;
pub mod reconcile;
pub mod served;
pub mod settle;

pub use channel::{Channel, Role};

/// Why an object (open, ack, reconciliation) is refused: exit status 1,
/// nothing written. One variant per rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The object is addressed to another node.
    NotForThisNode { kind: &'static str, to: String },
    /// The signer is not a peer in msgl.yaml.
    UnknownPeer { kind: &'static str, key: String },
    /// A channel open with generation 0 (generations start at 1).
    GenerationZero,
    /// A channel id that is all zero (no hash chain ends there).
    ZeroChannelId,
    /// The channel id is not 8 canonical Mersenne-31 elements.
    NonCanonicalChannelId,
    /// Any channel of this node, in either role, already has this id.
    ChannelIdInUse { channel: String, holder: String },
    /// Length 0, or longer than a chain may be.
    BadLength { length: u64, max: u64 },
    /// The open's price per unit differs from this node's.
    UnitPriceMismatch { open: String, mine: String },
    /// The open's token decimals differ from this node's.
    DecimalsMismatch { open: u8, mine: u32 },
    /// An ack may pay at most this node's cap; the open asks more.
    MaxPriceAboveCap { open: u64, cap: u64 },
    /// A chain term of the open differs from this node's settings.
    ChainTerms {
        field: &'static str,
        open: String,
        mine: String,
    },
    /// No channel with this id was opened to or accepted by this node.
    UnknownChannel { channel: String },
    /// The ack names a payer or payee other than the channel's.
    NotThisChannelsParties,
    /// The ack's price is 0.
    PriceZero,
    /// The ack's price is above the channel's `max_price`.
    PriceAboveMax { price: u64, max: u64 },
    /// The ack's nonce is not above the last accepted one.
    NonceNotAbove { nonce: u64, last: u64 },
    /// The same ack was accepted already (a retry).
    AlreadyAccepted { name: String },
    /// cumulative ≠ previous cumulative + price.
    CumulativeMismatch {
        cumulative: u64,
        previous: u64,
        price: u64,
    },
    /// cumulative beyond the channel's length.
    BeyondLength { cumulative: u64, length: u64 },
    /// The preimage is not 8 canonical field elements.
    NonCanonicalPreimage,
    /// `H^price(preimage)` is not the previous preimage (the anchor first).
    WrongPreimage { price: u64, first: bool },
    /// A bad signature (or domain) on an object.
    BadSignature { detail: String },
    /// A reconciliation for another pair of nodes.
    OtherPair { pair: String, peer: String },
    /// A reconciliation not signed by the peer.
    NotSignedByPeer { peer: String, detail: String },
    /// A proposal this node signed, given back to it to co-sign.
    OwnProposal,
    /// An agreement without this node's signature given to finalize.
    NotSignedByMe,
    /// Only one signature where two are needed.
    NotCosigned,
    /// The epoch is not after this node's last with the peer.
    EpochNotAfter { epoch: u64, last: u64, peer: String },
    /// This agreement was finalized already.
    AlreadyFinalized { epoch: u64, peer: String },
    /// The reconciliation follows another period than this node's last.
    PreviousEpoch {
        theirs: u64,
        mine: u64,
        peer: String,
    },
    /// An epoch ahead of this node's clock.
    EpochInFuture { epoch: u64, now: u64 },
    /// Both nodes proposed; this node's later proposal goes first.
    CrossedProposals { mine: u64, file: String },
}

impl Refusal {
    /// What went wrong, in one line.
    pub fn what(&self) -> String {
        use Refusal::*;
        match self {
            NotForThisNode { kind, to } => format!("the {kind} is addressed to {to}, not to this node"),
            UnknownPeer { kind, key } => format!("the {kind}'s payer {key} is not a known peer's key"),
            GenerationZero => "the open's generation is 0".into(),
            ZeroChannelId => "the open's channel id is all zero".into(),
            NonCanonicalChannelId => "the channel id is not 8 canonical M31 elements".into(),
            ChannelIdInUse { channel, holder } => {
                format!("channel id {channel} is already used by {holder}")
            }
            BadLength { length, max } => format!("bad channel length {length} (1 to {max})"),
            UnitPriceMismatch { open, mine } => {
                format!("the open's unit price {open} is not this node's {mine}")
            }
            DecimalsMismatch { open, mine } => {
                format!("the open's token has {open} decimals, this node's {mine}")
            }
            MaxPriceAboveCap { open, cap } => format!(
                "the open lets one ack pay {open} units, more than this node's max_units_per_ack {cap}"
            ),
            ChainTerms { field, open, mine } => {
                format!("the open's {field} is {open}, this node's is {mine}")
            }
            UnknownChannel { channel } => format!("no channel {channel} here"),
            NotThisChannelsParties => "the ack is not between this channel's payer and payee".into(),
            PriceZero => "price 0: a message costs at least one unit".into(),
            PriceAboveMax { price, max } => {
                format!("price {price} is above the channel's {max} units per ack")
            }
            NonceNotAbove { nonce, last } => {
                format!("nonce {nonce} is not above the last accepted nonce {last}")
            }
            AlreadyAccepted { name, .. } => format!("already accepted: ack {name}"),
            CumulativeMismatch {
                cumulative,
                previous,
                price,
            } => format!(
                "cumulative {cumulative} is not the previous cumulative {previous} plus the price {price}"
            ),
            BeyondLength { cumulative, length } => {
                format!("cumulative {cumulative} exceeds the channel's length {length}")
            }
            NonCanonicalPreimage => "the preimage is not 8 canonical M31 elements".into(),
            WrongPreimage { price, first } => format!(
                "wrong preimage: H^{price}(preimage) is not the {}",
                if *first {
                    "channel's anchor"
                } else {
                    "previous ack's preimage"
                }
            ),
            BadSignature { detail } => detail.clone(),
            OtherPair { pair, peer } => format!(
                "the reconciliation is for another pair ({pair}), not this node and {peer}"
            ),
            NotSignedByPeer { peer, detail } => {
                format!("the proposal is not signed by {peer}: {detail}")
            }
            OwnProposal => "the proposal already carries this node's signature".into(),
            NotSignedByMe => "the agreement does not carry this node's signature".into(),
            NotCosigned => "the reconciliation is not signed by both nodes".into(),
            EpochNotAfter { epoch, last, peer } => format!(
                "epoch {epoch} is not after the previous reconciliation's epoch {last} with {peer}"
            ),
            AlreadyFinalized { epoch, peer } => {
                format!("the reconciliation with {peer} at epoch {epoch} is already finalized")
            }
            PreviousEpoch { theirs, mine, peer } => format!(
                "the reconciliation follows the period ending at {theirs}, but this node's last with {peer} ends at {mine}"
            ),
            EpochInFuture { epoch, now } => format!("epoch {epoch} is in the future (now is {now})"),
            CrossedProposals { mine, .. } => format!(
                "this node proposed later (epoch {mine}), and its proposal goes first"
            ),
        }
    }

    /// How to fix it, if there is a way.
    pub fn hint(&self) -> Option<String> {
        use Refusal::*;
        Some(match self {
            UnknownPeer { .. } => "add the peer first: `msgl peer add NAME PUBKEY`".into(),
            GenerationZero | ZeroChannelId | NonCanonicalChannelId => {
                "an open as msgl makes it (`msgl open`)".into()
            }
            ChannelIdInUse { .. } => {
                "a channel id is used once: the payer opens a new channel (`msgl open`)".into()
            }
            UnitPriceMismatch { .. } | DecimalsMismatch { .. } | ChainTerms { .. } => {
                "agree on the terms (msgl.yaml), then open again".into()
            }
            MaxPriceAboveCap { .. } => {
                "raise max_units_per_ack in msgl.yaml, or the payer opens with a lower one".into()
            }
            UnknownChannel { .. } => "accept the payer's open first: `msgl accept-open FILE`".into(),
            PriceAboveMax { .. } => "split the price over several acks".into(),
            NonceNotAbove { .. } => "a replayed or out-of-order ack".into(),
            AlreadyAccepted { .. } => "it is kept and booked once; nothing was booked again".into(),
            CumulativeMismatch { .. } => {
                "a missing or reordered ack: the payer re-sends the missing one (`msgl ack --resend`)"
                    .into()
            }
            BeyondLength { .. } => "the payer must open a new channel".into(),
            WrongPreimage { .. } | NonCanonicalPreimage => {
                "the preimage does not belong to this channel's chain at this cumulative".into()
            }
            BadSignature { .. } => "a field was changed after signing, or another key signed it".into(),
            OtherPair { peer, .. } => format!("use the file {peer} made for this node"),
            OwnProposal => "a proposal this node made is accepted by the peer, not by itself".into(),
            NotSignedByMe => "finalize an agreement on a proposal this node made".into(),
            NotCosigned => "the peer co-signs with `msgl reconcile --with PEER --accept FILE`".into(),
            EpochNotAfter { .. } => "a reconciliation must close a later period".into(),
            PreviousEpoch { theirs, mine, .. } => if theirs > mine {
                format!("finalize the agreement at epoch {theirs} first (the peer has it)")
            } else {
                "the peer finalizes this node's later agreement first; then propose again".into()
            },
            EpochInFuture { .. } => "a reconciliation closes a period that has ended".into(),
            CrossedProposals { file, .. } => {
                format!("let the peer co-sign this node's proposal {file}; this one is dropped")
            }
            _ => return None,
        })
    }
}
