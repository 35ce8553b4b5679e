#!/usr/bin/env bash
# Sourced by Benchmarks/run: raw TCP conversations per second on treaty mock (the Redis contract's
# "ping", RESP over TCP) with redis-benchmark, beside a real redis-server in the same run, one
# request at a time per connection and 16 pipelined. Writes the table section "tcp".
rm -rf "$OUT/tcp" && mkdir -p "$OUT/tcp"
$PY -c 'import json, sys; c = json.load(open("Contracts/web-shop--cache.json")); c.pop("mock"); json.dump(c, open(sys.argv[1], "w"))' "$OUT/tcp/cache.json"
read -r mpid mport mready < <(start_server "$TREATY" mock "$OUT/tcp/cache.json" --port PORT --root "$OUT/tcp")
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 &
redis_pid=$!
pids+=("$mpid" "$redis_pid")
wait_port "$redis_port" || true
# redis-benchmark: prints requests per second (the command is sent as a RESP array, as the contract says).
rb() { redis-benchmark -p "$1" -n 200000 -c 50 -P "$2" -q PING 2>/dev/null | tr '\r' '\n' | awk '/requests per second/ {print $2}' | tail -1; }
t1=(); t16=(); r1=(); r16=()
for run in $(seq 1 "$RUNS"); do
  t1+=("$(rb "$mport" 1)"); r1+=("$(rb "$redis_port" 1)")
  t16+=("$(rb "$mport" 16)"); r16+=("$(rb "$redis_port" 16)")
done
tcp_rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' /proc/"$mpid"/status)
for p in "$mpid" "$redis_pid"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
{
  echo "### Raw TCP conversations ($(date -u +%Y-%m-%d), ${RUNS} runs, medians)"
  echo
  echo "Machine: $machine; $cpu. redis-benchmark -n 200000 -c 50 sending PING as a RESP array to treaty mock serving"
  echo "Contracts/web-shop--cache.json (its \"ping\" conversation, CRLF line framing) and to redis-server $(redis-server --version | awk '{print $3}' | cut -d= -f2)."
  echo
  echo "| server | PING/s, one at a time | PING/s, 16 pipelined |"
  echo "|---|---|---|"
  echo "| treaty mock | $(printf '%s\n' "${t1[@]}" | median) | $(printf '%s\n' "${t16[@]}" | median) |"
  echo "| redis-server | $(printf '%s\n' "${r1[@]}" | median) | $(printf '%s\n' "${r16[@]}" | median) |"
  echo
  echo "treaty mock RSS after the runs: ${tcp_rss} MB."
} > "$OUT/tcp.md"
cat "$OUT/tcp.md"
