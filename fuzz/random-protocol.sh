#!/usr/bin/env bash
# The seeded randomized protocol run (tests/protocol_random.rs) over many
# seeds and longer histories than `cargo test` takes: three homes, random
# acks, losses, resends, price corrections, proposals, co-signatures,
# finalizes, and proofs of acks and agreements settled in revm and booked
# from their receipts; `check --evidence` after every step.
# Usage: fuzz/random-protocol.sh [SEEDS] [OPS]   (default 20 seeds x 600 ops)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}
ops=${2:-600}
seeds=$(seq 1 "$n" | awk '{printf "%s%d", (NR>1?",":""), 1000003*$1}')
MSGL_RANDOM_SEEDS=$seeds MSGL_RANDOM_OPS=$ops \
  cargo test --release --test integration protocol_random -- --nocapture 2>&1 | grep -E '^seed|test result|panicked'
