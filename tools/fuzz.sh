#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset: clang, ASan + UBSan, ./build-fuzz) and runs
# each one for a bounded time, starting from its seed corpus in fuzz/corpus/<target>/.
#   tools/fuzz.sh                      every target for 20 s (what CI runs)
#   tools/fuzz.sh --time 300           every target for 300 s (the long run; RELIABILITY.md)
#   tools/fuzz.sh --time 60 url event  only the targets named
# Targets run one at a time (the machine has 2 cores). New inputs found go to
# build-fuzz/corpus/<target>/, crashes to build-fuzz/artifacts/<target>/ (copy a crashing input
# into fuzz/corpus/<target>/ once fixed: every build's ctest then replays it). Exits non-zero if
# any target crashed, leaked, stalled (one input over 10 s) or went over 2 GiB.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=20
if [ "${1:-}" = "--time" ]; then
  seconds=$2
  shift 2
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] ||
  targets=(ingest_frame event subscription url signature retry_after callback_event webhook_payload outgoing_webhook
    emakin_message callback_payload http_response)

tools/setup.sh
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
[ -f build-fuzz/build.ninja ] || cmake --preset fuzz "${launcher[@]}" >/dev/null
cmake --build --preset fuzz --parallel "$(nproc)"

dict_for() {
  case "$1" in
    ingest_frame | event | subscription | callback_event | webhook_payload | outgoing_webhook | \
      emakin_message | callback_payload) echo fuzz/json.dict ;;
    url) echo fuzz/url.dict ;;
    http_response) echo fuzz/http_response.dict ;;
    signature | retry_after) echo fuzz/http_header.dict ;;
  esac
}

# Inputs longer than libFuzzer's default (4096 bytes, or the longest seed), for targets whose
# limits lie beyond it: the response parser holds heads up to 32 KiB.
max_len_for() {
  case "$1" in
    http_response) echo -max_len=70000 ;;
  esac
}

passed=0
failed=0
printf '%-14s %12s %10s %8s %s\n' target executions exec/s rss_mb result
for t in "${targets[@]}"; do
  work=build-fuzz/corpus/$t
  artifacts=build-fuzz/artifacts/$t/
  mkdir -p "$work" "$artifacts"
  log=build-fuzz/fuzz-$t.log
  status=0
  build-fuzz/fuzz/"${t}"_fuzzer "$work" "fuzz/corpus/$t" -dict="$(dict_for "$t")" \
    $(max_len_for "$t") -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 \
    -artifact_prefix="$artifacts" >"$log" 2>&1 || status=$?
  stat() { sed -n "s/^stat::$1: *//p" "$log"; }
  if [ "$status" -eq 0 ]; then
    result=ok
    passed=$((passed + 1))
  else
    result="FAILED (exit $status; $log, $artifacts)"
    failed=$((failed + 1))
    grep -E "ERROR|property violated|SUMMARY" "$log" | head -5 >&2 || true
  fi
  printf '%-14s %12s %10s %8s %s\n' "$t" "$(stat number_of_executed_units)" \
    "$(stat average_exec_per_sec)" "$(stat peak_rss_mb)" "$result"
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
