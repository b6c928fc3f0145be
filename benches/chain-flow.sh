#!/bin/bash
# The chain flow against anvil (docs/BENCHMARKS.md, "The chain flow against
# anvil"): run from the repository root after `cd contracts && npm ci` and
# `cargo build`; prints each step's gas (from its receipt) and the wall time.
set -e
M=${MSGL:-target/debug/msgl}
A=contracts/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil
C=contracts/node_modules/@foundry-rs/cast-linux-amd64/bin/cast
D=$(mktemp -d /dev/shm/chainflow.XXXX)
PORT=${PORT:-18545}
$A --port $PORT --silent & APID=$!
trap 'kill $APID' EXIT
sleep 1
URL=http://127.0.0.1:$PORT
$M --home $D/n1 -q init --name Node1; $M --home $D/n2 -q init --name Node2
for h in n1 n2; do $C rpc --rpc-url $URL anvil_setBalance $($M --home $D/$h id --evm) 0x3635C9ADC5DEA00000 >/dev/null; done
start=$(date +%s.%N)
$M --home $D/n1 chain --rpc $URL deploy --write-config --withdraw-delay 3600
python3 - "$D" <<'PY'
import sys,re
d=sys.argv[1]
src=open(d+'/n1/msgl.yaml').read()
chain=src[src.index('chain:'):]
open(d+'/n2/msgl.yaml','a').write(chain)
PY
$M --home $D/n1 -q peer add Node2 $($M --home $D/n2 id) --policy credit:100 --address $($M --home $D/n2 id --evm)
$M --home $D/n2 -q peer add Node1 $($M --home $D/n1 id) --address $($M --home $D/n1 id --evm)
$M --home $D/n2 chain deposit 1 --mint
$M --home $D/n2 -q open --to Node1 --units ${UNITS:-1000} --escrow 0.5 -o $D/open.yaml
$M --home $D/n1 -q accept-open $D/open.yaml -o $D/acc.yaml
$M --home $D/n2 chain open $D/acc.yaml
for i in $(seq 1 ${MSGS:-10}); do
  $M --home $D/n2 -q ack --to Node1 -m $(printf '%064x' $i) --price ${PRICE:-100} -o $D/ack-$i.yaml
  $M --home $D/n1 -q accept $D/ack-$i.yaml
done
$M --home $D/n1 -q prove --for-chain $D/n1/acks -o $D/proof
$M --home $D/n1 chain settle $D/proof
$M --home $D/n1 chain status
end=$(date +%s.%N)
echo "wall: $(python3 -c "print(round($end-$start,2))") s"
rm -rf $D
