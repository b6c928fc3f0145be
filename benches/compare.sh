#!/usr/bin/env bash
# Benchmarks msgl against the tools operators already use, on this machine.
#
#   bash benches/compare.sh [journal] [proof]     (default: both)
#
# journal: a deterministic generator writes one data set in msgl's and in
#   hledger's format (10k, 100k, 1M transactions, 200 peers, per-message
#   sub-accounts, ~30% elided amounts); `msgl balance`, `hledger bal` and
#   `ledger bal` run on it; wall time, peak RSS and ratios are printed.
#   Then every msgl report on the same files (check, bal, reg, print,
#   print --hledger, accounts): wall and CPU time, peak RSS, and bal's time
#   over check's. MSGL_BENCH_OTHERS=0 skips hledger and ledger.
# proof: `msgl prove` (the whole command, one channel and 100 channels)
#   against Stwo's bare Poseidon2 component proving as many permutations,
#   interleaved in one run; then the library's chain proof against the
#   bare one per size (crates/circuits/benches/prove.rs).
#
# Needs: hledger, ledger, GNU time (apt-get install hledger ledger time).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${*:-journal proof}
data=${MSGL_BENCH_DATA:-target/bench-data}
sizes=${MSGL_BENCH_SIZES:-"10000 100000 1000000"}

measure() { # prints "seconds kilobytes" for the command, output discarded
  /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -n 1
}
measure_cpu() { # prints "wall_s cpu_s kilobytes", output discarded
  /usr/bin/time -f "%e %U %S %M" "$@" 2>&1 >/dev/null | tail -n 1 |
    awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}'
}

if [[ " $what " == *" journal "* ]]; then
  for t in hledger ledger /usr/bin/time; do
    command -v "$t" >/dev/null || { echo "benches/compare.sh: $t is missing (apt-get install hledger ledger time)" >&2; exit 2; }
  done
  cargo build --release --quiet --bin msgl --example gen_journal
  msgl=target/release/msgl
  [ -n "${CARGO_TARGET_DIR:-}" ] && msgl=$CARGO_TARGET_DIR/release/msgl
  gen=$(dirname "$msgl")/examples/gen_journal
  mkdir -p "$data"
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(hledger --version | head -1); $(ledger --version | head -1)"
  if [ "${MSGL_BENCH_OTHERS:-1}" != 0 ]; then
  printf '%-9s %-8s %9s %9s %11s %11s\n' transactions tool wall_s peak_MB "wall/msgl" "RSS/msgl"
  for n in $sizes; do
    [ -f "$data/$n.ledger" ] || "$gen" "$n" "$data"
    read -r mt mk < <(measure "$msgl" -f "$data/$n.ledger" balance)
    printf '%-12s %-8s %9.2f %9.0f %11s %11s\n' "$n" msgl "$mt" "$((mk / 1024))" 1 1
    for tool in ledger hledger; do
      if [ "$tool" = ledger ]; then cmd=(ledger -f "$data/$n.journal" bal); else cmd=(hledger -f "$data/$n.journal" bal); fi
      read -r t k < <(measure "${cmd[@]}")
      printf '%-12s %-8s %9.2f %9.0f %11.1f %11.1f\n' "$n" "$tool" "$t" "$((k / 1024))" \
        "$(echo "$t / $mt" | bc -l)" "$(echo "$k / $mk" | bc -l)"
    done
  done
  fi
  # Every msgl report on the same file (best of 3 wall times; the CPU time
  # and peak RSS of that run).
  echo
  printf '%-12s %-22s %8s %8s %9s\n' transactions command wall_s cpu_s peak_MB
  for n in $sizes; do
    [ -f "$data/$n.ledger" ] || "$gen" "$n" "$data"
    check_t=
    for cmd in "check" "balance" "register" "print" "print --hledger" "accounts"; do
      best=
      for _ in 1 2 3; do
        # shellcheck disable=SC2086
        read -r t c k < <(measure_cpu "$msgl" -q -f "$data/$n.ledger" $cmd)
        if [ -z "$best" ] || (( $(echo "$t < $best" | bc -l) )); then best=$t; bc_=$c; bk=$k; fi
      done
      [ "$cmd" = check ] && check_t=$best
      extra=
      [ "$cmd" = balance ] && extra=$(printf '  (bal/check %.2f)' "$(echo "$best / $check_t" | bc -l)")
      printf '%-12s %-22s %8.2f %8.2f %9.0f%s\n' "$n" "$cmd" "$best" "$bc_" "$((bk / 1024))" "$extra"
    done
  done
fi

if [[ " $what " == *" proof "* ]]; then
  # The whole command (reading and checking a batch of signed acks,
  # proving, writing) against bare Stwo proving the same count of Poseidon2
  # permutations, in the same run: ROUNDS rounds (MSGL_PROVE_ROUNDS,
  # default 5), each running, back to back, the bare proof (in-process
  # time, a fresh process per round), `msgl prove` on one channel of U
  # units and `msgl prove` on U units over 100 channels (wall time of the
  # whole process). Medians; ratio = bare / whole command (1 = as fast as
  # bare Stwo).
  cargo build --release --quiet --bin msgl --example gen_batch
  msgl=target/release/msgl
  [ -n "${CARGO_TARGET_DIR:-}" ] && msgl=$CARGO_TARGET_DIR/release/msgl
  gen=$(dirname "$msgl")/examples/gen_batch
  bench=$(cargo bench -p msgl-circuits --bench prove --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
  [ -x "$bench" ] || { echo "benches/compare.sh: cannot find the prove bench's executable" >&2; exit 2; }
  median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
  rounds=${MSGL_PROVE_ROUNDS:-5}
  mkdir -p "$data"
  for u in ${MSGL_PROVE_UNITS:-150000}; do
    for c in 1 100; do
      rm -rf "$data/batch-$u-$c"
      "$gen" "$u" "$c" "$data/batch-$u-$c"
    done
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    : >"$data/times-bare"; : >"$data/times-1"; : >"$data/times-100"
    for _ in $(seq "$rounds"); do
      "$bench" --child bare "$u" --reps 1 | awk '/^RESULT /{print $3}' >>"$data/times-bare"
      for c in 1 100; do
        rm -rf "$data/proof-$u-$c"
        read -r t k < <(measure "$msgl" -q prove "$data/batch-$u-$c" -o "$data/proof-$u-$c")
        echo "$t" >>"$data/times-$c"
        echo "$k" >"$data/rss-$c"
      done
    done
    bare=$(median <"$data/times-bare")
    printf 'bare Stwo, %s permutations (in-process): median %.3f s of %s\n' "$u" "$bare" "$(tr '\n' ' ' <"$data/times-bare")"
    for c in 1 100; do
      t=$(median <"$data/times-$c")
      printf 'msgl prove, %s units in %s channel(s) (whole command): median %.3f s of %s; peak %d MB; ratio bare/whole %.2f\n' \
        "$u" "$c" "$t" "$(tr '\n' ' ' <"$data/times-$c")" "$(( $(cat "$data/rss-$c") / 1024 ))" "$(echo "$bare / $t" | bc -l)"
    done
    read -r vt vk < <(measure "$msgl" -q verify-proof "$data/proof-$u-100")
    printf 'proof %d KB; verify-proof (whole command) %.3f s\n' \
      "$(( $(stat -c %s "$data/proof-$u-100/proof.bin") / 1024 ))" "$vt"
    # The proof the on-chain verifier checks (issue 18), same batch.
    rm -rf "$data/chain-proof-$u"
    read -r t k < <(measure "$msgl" -q prove --for-chain "$data/batch-$u-100" -o "$data/chain-proof-$u")
    printf 'msgl prove --for-chain, %s units in 100 channels (whole command): %.2f s, peak %d MB\n' \
      "$u" "$t" "$((k / 1024))"
  done
  # The library's chain proof against Stwo's bare Poseidon2 component, per
  # size (MSGL_PROVE_SIZES, e.g. 150000 or 4096,150000: only those).
  "$bench" ${MSGL_PROVE_SIZES:+--sizes "$MSGL_PROVE_SIZES"}
fi
