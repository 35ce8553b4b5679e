#!/usr/bin/env bash
# Sourced by Benchmarks/run: `treaty verify` against the Pact verifier (pact-python-cli) on the same
# 1,000 interactions, both verifying the same provider (a treaty mock serving them), wall time per
# run, medians. Writes the table section "verify".
VCOUNT=${VERIFY_COUNT:-1000}
$PY Benchmarks/make_contracts.py "$OUT/contracts" "$VCOUNT"
read -r vpid vport _ < <(start_server "$TREATY" mock "$OUT/contracts/treaty-$VCOUNT.json" --port PORT --root "$OUT")
pids+=("$vpid")
vurl="http://127.0.0.1:$vport"
# Prints "milliseconds exit-code" for one run of a command.
time_run() { local s rc=0; s=$(now_ms); "$@" >/dev/null 2>&1 || rc=$?; echo "$(( $(now_ms) - s )) $rc"; }
declare -A vtimes
vnames=("treaty verify (Treaty contract)" "treaty verify (Pact file)" "treaty verify --concurrency 1" "Pact verifier (Pact file)")
for _ in $(seq 1 "$RUNS"); do
  vtimes[0]+="$(time_run "$TREATY" verify "$OUT/contracts/treaty-$VCOUNT.json" --root "$OUT" --base-url "$vurl" --quiet)"$'\n'
  vtimes[1]+="$(time_run "$TREATY" verify "$OUT/contracts/pact-$VCOUNT.json" --root "$OUT" --base-url "$vurl" --quiet)"$'\n'
  vtimes[2]+="$(time_run "$TREATY" verify "$OUT/contracts/pact-$VCOUNT.json" --root "$OUT" --base-url "$vurl" --quiet --concurrency 1)"$'\n'
  vtimes[3]+="$(time_run $CAP "$PACT" verifier --file "$OUT/contracts/pact-$VCOUNT.json" --hostname 127.0.0.1 --port "$vport")"$'\n'
done
kill "$vpid" 2>/dev/null || true; wait "$vpid" 2>/dev/null || true
verify_rows=()
declare -A vmedian
for i in 0 1 2 3; do
  lines=$(printf '%s' "${vtimes[$i]}" | sed '/^$/d')
  ms=$(echo "$lines" | awk '{print $1}' | median)
  codes=$(echo "$lines" | awk '{print $2}' | sort -u | tr '\n' ' ' | sed 's/ $//')
  vmedian[$i]=$ms
  verify_rows+=("| ${vnames[$i]} | $VCOUNT | $ms | $codes |")
  echo "${vnames[$i]}: $ms ms (exit $codes)" >&2
done
ratio=$(awk -v t="${vmedian[1]}" -v p="${vmedian[3]}" 'BEGIN { if (t > 0) printf "%.1f", p / t; else print "?" }')
{
  echo "### Verifier wall time ($(date -u +%Y-%m-%d), ${RUNS} runs each, medians)"
  echo
  echo "Machine: $machine; $cpu. Each verifier checks the same $VCOUNT interactions against one \`treaty mock\` (release build)"
  echo "serving them on loopback; wall time from start to exit, reports off. treaty verify runs 4 interactions at once by default."
  echo
  echo "| verifier | interactions | wall time (ms) | exit code |"
  echo "|---|---|---|---|"
  printf '%s\n' "${verify_rows[@]}"
  echo
  echo "On the same Pact file, the Pact verifier takes ${ratio}× treaty verify's wall time."
} > "$OUT/verify.md"
cat "$OUT/verify.md"
