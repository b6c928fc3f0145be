#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600), one after the
# other (never two fuzzers at once), then minimizes each corpus in place.
#
#   fuzz/run.sh [SECONDS] [TARGET...]
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`); works on stable through
# RUSTC_BOOTSTRAP=1. Crashes land in fuzz/artifacts/<target>/; turn each
# into a file under fuzz/regressions/<target>/ (the regression tests replay
# every file there and in fuzz/corpus/<target>/). Logs: fuzz/logs/.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(journal proof calldata config amount ack open recon state)
export RUSTC_BOOTSTRAP=1
mkdir -p logs
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    if [ "$t" = journal ]; then
        cp -n ../ledgers/seed/*.ledger corpus/journal/ 2>/dev/null || true
    fi
    dict=()
    [ -f "dict/$t.dict" ] && dict=(-dict="dict/$t.dict")
    echo "== $t: ${secs}s" >&2
    # The targets that write seeds (proof, calldata, ack, open, recon, state) do so on their first
    # input: one run on an empty corpus first, so that the fuzzer loads
    # them (and sizes -max_len by them) when it starts.
    empty=$(mktemp -d)
    MSGL_FUZZ_SEED_DIR="corpus/$t" cargo fuzz run -O "$t" "$empty" -- -runs=1 \
        -detect_leaks=0 > "logs/$t.seed.log" 2>&1
    rm -rf "$empty"
    # -detect_leaks=0: LeakSanitizer reports std's per-thread channel
    # context of the parser's worker threads when a thread is still exiting
    # at the check (a race in the check, not a leak; a CLI exits anyway).
    set +e
    MSGL_FUZZ_SEED_DIR="corpus/$t" cargo fuzz run -O "$t" "corpus/$t" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -timeout=60 -detect_leaks=0 \
        -print_final_stats=1 "${dict[@]}" 2>&1 | tee "logs/$t.log" |
        grep -E '^#[0-9]+.*(pulse|DONE)|ERROR|panicked|SUMMARY|stat::' >&2
    status=${PIPESTATUS[0]}
    set -e
    if [ "$status" -ne 0 ]; then
        echo "== $t: fuzzer exited $status (see logs/$t.log and artifacts/$t/)" >&2
        exit "$status"
    fi
    # Keep the committed corpus small: a greedy set cover of the edges
    # (hit counts ignored).
    cargo fuzz cmin -O "$t" "corpus/$t" -- -set_cover_merge=1 -use_counters=0 \
        -detect_leaks=0 > "logs/$t.cmin.log" 2>&1
    echo "== $t: corpus $(ls "corpus/$t" | wc -l) files after cmin" >&2
done
