#!/usr/bin/env bash
# Runs the fuzz targets in fuzz/ (libFuzzer through cargo-fuzz), each for a bounded time.
#
#   ops/fuzz.sh [seconds-per-target] [target...]
#
# Defaults: 60 seconds, every target (file_name multipart tokens theme_css). Per target it prints
# the inputs run, executions per second, the corpus size and the new inputs found, and it fails
# if any target found a crash (a panic, a failed property, a timeout or running out of memory),
# naming the reproducer. The corpus a run grows is kept in fuzz/target/corpus/<target> (not
# tracked); the committed seeds are in fuzz/seeds/<target>; crashes go to fuzz/artifacts/<target>.
#
# Environment:
#   FUZZ_PROFILE    release (the default: optimised, with debug assertions and overflow checks)
#                   or dev (unoptimised: builds several times faster, runs several times slower;
#                   for a short run from a cold build, as in CI).
#   FUZZ_SANITIZER  address (the default) or none: AddressSanitizer finds memory errors in the
#                   dependencies' unsafe code (the project's crates forbid unsafe code).
#   CARGO_BUILD_JOBS  cargo's own: how many compiler processes the build runs at once.
#
# Each profile and sanitizer builds into its own directory, fuzz/target/<profile>-<sanitizer>, so
# switching between them does not rebuild everything.
#
# The toolchain is stable. libFuzzer's coverage instrumentation (-Cpasses=sancov-module and its
# -Cllvm-args) works on stable, so a build without a sanitizer needs nothing more.
# AddressSanitizer needs the unstable -Zsanitizer=address: RUSTC_BOOTSTRAP=1 lets the stable
# compiler take it, and is set for these builds only, never for the project's own. (Cargo
# rebuilds everything when RUSTC_BOOTSTRAP changes, another reason for a directory per setting.)
# The sanitizer runtimes ship with the stable standard library (librustc-stable_rt.asan.a), so
# no nightly toolchain is needed; the standard library itself is not rebuilt with the sanitizer
# (-Zbuild-std would need the nightly rust-src), so it finds errors in the project's and its
# dependencies' code, not inside std.
set -euo pipefail

readonly ALL_TARGETS=(file_name multipart tokens theme_css)
readonly BUILD_TIMEOUT=3600
readonly RUN_SLACK=300

die() {
    echo "fuzz: $*" >&2
    exit 2
}

seconds=${1:-60}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || die "seconds-per-target must be a positive whole number, got '$seconds'"
shift || true
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    targets=("${ALL_TARGETS[@]}")
fi
for target in "${targets[@]}"; do
    [[ " ${ALL_TARGETS[*]} " == *" $target "* ]] ||
        die "unknown target '$target' (targets: ${ALL_TARGETS[*]})"
done

profile=${FUZZ_PROFILE:-release}
[[ $profile == release || $profile == dev ]] ||
    die "FUZZ_PROFILE must be release or dev, got '$profile'"
sanitizer=${FUZZ_SANITIZER:-address}
[[ $sanitizer == address || $sanitizer == none ]] ||
    die "FUZZ_SANITIZER must be address or none, got '$sanitizer'"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fuzz_dir=$root/fuzz
[[ -f $fuzz_dir/Cargo.toml ]] || die "no fuzz crate at $fuzz_dir"
command -v cargo >/dev/null || die "cargo is not installed"
command -v timeout >/dev/null || die "timeout (coreutils) is not installed"

# The run in progress, in a process group of its own (timeout makes one), ended on exit.
child=""
cleanup() {
    if [[ -n $child ]] && kill -0 "$child" 2>/dev/null; then
        kill -TERM -- "-$child" 2>/dev/null || kill -TERM "$child" 2>/dev/null || true
        wait "$child" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Runs "$@" bounded by $1 seconds, output to the log $2; its exit status.
bounded() {
    local limit=$1 log=$2
    shift 2
    timeout --kill-after=30 "$limit" "$@" >"$log" 2>&1 &
    child=$!
    local status=0
    wait "$child" || status=$?
    child=""
    return "$status"
}

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz"
    cargo install cargo-fuzz --locked || die "cargo install cargo-fuzz failed"
fi

if [[ $sanitizer == address ]]; then
    export RUSTC_BOOTSTRAP=1
else
    unset RUSTC_BOOTSTRAP
fi
export CARGO_INCREMENTAL=0
# The same flags for building and running, or `cargo fuzz run` builds again.
flags=(--sanitizer "$sanitizer" --target-dir "$fuzz_dir/target/$profile-$sanitizer")
if [[ $profile == dev ]]; then
    flags+=(--dev)
fi

logs=$fuzz_dir/target/logs
mkdir -p "$logs"
cd "$fuzz_dir"

echo "fuzz: building ${targets[*]} (profile: $profile, sanitizer: $sanitizer)"
start=$SECONDS
for target in "${targets[@]}"; do
    if ! bounded "$BUILD_TIMEOUT" "$logs/build-$target.log" cargo fuzz build "${flags[@]}" "$target"; then
        tail -n 40 "$logs/build-$target.log" >&2
        die "building $target failed (log: $logs/build-$target.log)"
    fi
done
echo "fuzz: built in $((SECONDS - start)) s"

# The last value libFuzzer printed for a statistic.
stat() {
    sed -n "s/^stat::$1: *//p" "$2" | tail -n 1
}

failed=()
printf '%-10s %12s %9s %8s %6s  %s\n' target runs exec/s corpus new result
for target in "${targets[@]}"; do
    corpus=$fuzz_dir/target/corpus/$target
    artifacts=$fuzz_dir/artifacts/$target
    log=$logs/run-$target.log
    mkdir -p "$corpus" "$artifacts"
    status=0
    bounded $((seconds + RUN_SLACK)) "$log" \
        cargo fuzz run "${flags[@]}" "$target" "$corpus" "$fuzz_dir/seeds/$target" -- \
        -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" || status=$?
    runs=$(stat number_of_executed_units "$log")
    speed=$(stat average_exec_per_sec "$log")
    added=$(stat new_units_added "$log")
    size=$(find "$corpus" "$fuzz_dir/seeds/$target" -type f | wc -l)
    result=ok
    if [[ $status -ne 0 ]]; then
        result="FAILED (exit $status)"
        failed+=("$target")
    fi
    printf '%-10s %12s %9s %8s %6s  %s\n' "$target" "${runs:-?}" "${speed:-?}" "$size" "${added:-?}" "$result"
    if [[ $status -ne 0 ]]; then
        { grep -E -A 2 'panicked at' "$log" | head -n 3
          grep -E 'ERROR: libFuzzer|==[0-9]+==ERROR|^SUMMARY' "$log" | head -n 3; } >&2 || true
        artifact=$(sed -n 's/.*[Tt]est unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
        if [[ -n $artifact ]]; then
            echo "  reproducer: $artifact" >&2
            replay="cargo fuzz run ${flags[*]} $target $artifact"
            if [[ $sanitizer == address ]]; then
                replay="RUSTC_BOOTSTRAP=1 $replay"
            fi
            echo "  replay it:  (cd fuzz && $replay)" >&2
        else
            echo "  no reproducer written; the run's log: $log" >&2
        fi
    fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz: FAILED: ${failed[*]} (logs in $logs)" >&2
    exit 1
fi
echo "fuzz: ${targets[*]}: ${seconds} s each, no failure"
