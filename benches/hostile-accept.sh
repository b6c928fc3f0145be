#!/usr/bin/env bash
# The worst case a known payer can make `msgl accept` do (issue 12, bounded
# work): an ack of the channel's max_price units (the payee's
# max_units_per_ack, 65,536 by default) whose preimage is not on the chain,
# so the payee walks the whole price before refusing. Prints the refusal's
# wall time and peak memory, and how long the lock is held (the walk runs
# before the lock is taken: a concurrent honest accept is timed too).
# Usage: bash benches/hostile-accept.sh [UNITS_PER_ACK]
set -euo pipefail
cd "$(dirname "$0")/.."
cap=${1:-65536}
cargo build --release -q --bin msgl --example hostile_ack
bin=${CARGO_TARGET_DIR:-target}/release
msgl=$bin/msgl
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
$msgl --home "$d/payee" -q init --name Node1
$msgl --home "$d/payer" -q init --name Node2
sed -i "/^peers:/i max_units_per_ack: $cap" "$d/payee/msgl.yaml"
sed -i "/^peers:/i max_units_per_ack: $cap" "$d/payer/msgl.yaml"
$msgl --home "$d/payee" -q peer add Node2 "$($msgl --home "$d/payer" id)" --policy credit:1
$msgl --home "$d/payer" -q peer add Node1 "$($msgl --home "$d/payee" id)"
$msgl --home "$d/payer" -q open --to node1 --units $((cap + 10)) -o "$d/open.yaml"
$msgl --home "$d/payee" -q accept-open "$d/open.yaml"
$bin/examples/hostile_ack "$d/payer" "$d/open.yaml" "$d/hostile.yaml"
$msgl --home "$d/payer" -q ack --to node1 -m "$(printf '%064x' 1)" --price 1 -o "$d/honest.yaml"
echo "units per ack: $cap"
# The hostile accept and, started just after it, an honest one.
start=$(date +%s%N)
( /usr/bin/time -f "hostile accept refused: %e s wall, %M KB peak" \
    $msgl --home "$d/payee" accept "$d/hostile.yaml" 2>&1 | grep -v '^msgl:' ) &
sleep 0.005
/usr/bin/time -f "honest accept meanwhile: %e s wall" $msgl --home "$d/payee" -q accept "$d/honest.yaml"
wait
echo "both done in $(( ($(date +%s%N) - start) / 1000000 )) ms"
