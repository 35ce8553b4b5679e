#!/usr/bin/env bash
# Sourced by Benchmarks/run: treaty mock against the Pact stub server and nginx on one static JSON
# answer (wrk, HTTP/1.1), HTTP/2 with h2load, and treaty's memory after 500,000 requests with the
# journal on. Writes the table section "mock".
mock_rows=()
nginx_port=$(free_port); nginx_h2=$(free_port)
body='{"id":0,"name":"item 0","price":9.5,"tags":["a","a"]}'  # what treaty-1.json answers
sed -e "s|RESULTS|$PWD/$OUT|g" -e "s|H2PORT|$nginx_h2|" -e "s|PORT|$nginx_port|" -e "s|BODY|$body|" Benchmarks/nginx.conf.template > "$OUT/nginx.conf"
nginx -c "$PWD/$OUT/nginx.conf" -p "$PWD/$OUT" 2>/dev/null
wait_port "$nginx_port" || true

read -r tpid tport tready < <(start_server "$TREATY" mock "$OUT/contracts/treaty-1.json" --port PORT --root "$OUT" --admin-port 0)
read -r ppid pport pready < <(start_server $CAP "$PACT" stub --file "$OUT/contracts/pact-1.json" --port PORT)
pids+=("$tpid" "$ppid")
declare -A results
for _ in $(seq 1 "$RUNS"); do
  for server in treaty pact nginx; do
    case $server in treaty) port=$tport ;; pact) port=$pport ;; nginx) port=$nginx_port ;; esac
    results[$server]+="$(measure "http://127.0.0.1:$port" "$OUT/contracts/paths-1.lua")"$'\n'
  done
done
for server in treaty pact nginx; do
  case $server in treaty) pid=$tpid; name="treaty mock" ;; pact) pid=$ppid; name="Pact stub server" ;; nginx) pid=$(cat "$OUT/nginx.pid"); name="nginx (static JSON, the ceiling)" ;; esac
  lines=$(printf '%s' "${results[$server]}" | sed '/^$/d')
  rps=$(echo "$lines" | awk '{print $1}' | median); p50=$(echo "$lines" | awk '{print $2}' | median); p99=$(echo "$lines" | awk '{print $3}' | median)
  rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' /proc/"$pid"/status 2>/dev/null || echo "?")
  mock_rows+=("| $name | $rps | $p50 | $p99 | $rss |")
  echo "$name: $rps req/s, p50 $p50 ms, p99 $p99 ms, RSS $rss MB" >&2
done

# Memory after 500,000 requests (journal on: the admin API is enabled).
h2load --h1 -n 500000 -c 50 -t 2 "http://127.0.0.1:$tport/items/0" >/dev/null 2>&1 || true
treaty_rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' /proc/"$tpid"/status)
treaty_hwm=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' /proc/"$tpid"/status)

# HTTP/2 (h2c prior knowledge): treaty and nginx, 10 streams per connection.
h2() { h2load -n 200000 -c 50 -m 10 -t 2 "$1" 2>/dev/null | awk '/^finished in/ {gsub(/,/, "", $4); print $4}'; }
treaty_h2=$(h2 "http://127.0.0.1:$tport/items/0"); nginx_h2_rps=$(h2 "http://127.0.0.1:$nginx_h2/items/0")
kill "$(cat "$OUT/nginx.pid")" 2>/dev/null || true
for p in "$tpid" "$ppid"; do [ "$p" = "-" ] || { kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; }; done

{
  echo "### Mock throughput ($(date -u +%Y-%m-%d), ${RUNS} runs of wrk -t2 -c50 -d${DURATION} --latency, medians)"
  echo
  echo "Machine: $machine; $cpu. One static JSON answer (/items/0) from each server, HTTP/1.1 keep-alive."
  echo
  echo "| server | req/s | p50 (ms) | p99 (ms) | RSS (MB) |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${mock_rows[@]}"
  echo
  echo "treaty mock after 500,000 more requests (h2load --h1, journal on): RSS ${treaty_rss} MB, peak ${treaty_hwm} MB."
  echo
  echo "HTTP/2 with prior knowledge (h2load -n 200000 -c 50 -m 10): treaty mock ${treaty_h2} req/s, nginx ${nginx_h2_rps} req/s."
} > "$OUT/mock.md"
cat "$OUT/mock.md"
