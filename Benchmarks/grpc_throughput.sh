#!/usr/bin/env bash
# Sourced by Benchmarks/run: unary gRPC calls per second on treaty mock (h2load, h2c prior
# knowledge, the example contract's GetStock with its metadata), beside the same mock's HTTP/1.1
# rate (wrk) and a grpcio (Python) server answering the same call. Writes the table section "grpc".
printf '\x00\x00\x00\x00\x07\x0a\x05ABC-1' > "$OUT/getstock.bin"   # StockRequest{sku: "ABC-1"}, length-prefixed
grpc_headers=(-H 'content-type: application/grpc' -H 'te: trailers' -H 'x-shop-id: web-shop')
# The example contract without its fixed port (8086), beside a copy of its descriptors.
rm -rf "$OUT/grpc" && mkdir -p "$OUT/grpc" && cp -r Contracts/protos "$OUT/grpc/"
$PY -c 'import json, sys; c = json.load(open("Contracts/web-shop--inventory.json")); c.pop("mock"); json.dump(c, open(sys.argv[1], "w"))' "$OUT/grpc/inventory.json"
read -r gpid gport gready < <(start_server "$TREATY" mock "$OUT/grpc/inventory.json" --port PORT --root "$OUT/grpc")
read -r hpid hport hready < <(start_server "$TREATY" mock "$OUT/contracts/treaty-1.json" --port PORT --root "$OUT")
peer_port=$(free_port)
$PY Benchmarks/grpc_peer.py "$peer_port" >/dev/null 2>&1 &
peer_pid=$!
pids+=("$gpid" "$hpid" "$peer_pid")
wait_port "$peer_port" || true
# h2load: prints "req/s succeeded"
h2grpc() {
  h2load -n "$1" -c 50 -m 10 -t 2 -d "$OUT/getstock.bin" "${grpc_headers[@]}" "$2" 2>/dev/null | awk '
    /^finished in/ {gsub(/,/, "", $4); rps=$4}
    /^requests:/ {ok=$8}
    END {print rps, ok}'
}
treaty_grpc=(); treaty_h1=(); peer_grpc=()
for run in $(seq 1 "$RUNS"); do
  read -r rps ok < <(h2grpc 200000 "http://127.0.0.1:$gport/inventory.v1.Inventory/GetStock"); treaty_grpc+=("$rps"); treaty_ok=$ok
  read -r rps _ _ < <(measure "http://127.0.0.1:$hport" "$OUT/contracts/paths-1.lua" 2>/dev/null || echo "0 0 0"); treaty_h1+=("$rps")
  read -r rps ok < <(h2grpc 20000 "http://127.0.0.1:$peer_port/inventory.v1.Inventory/GetStock"); peer_grpc+=("$rps"); peer_ok=$ok
done
grpc_rps=$(printf '%s\n' "${treaty_grpc[@]}" | median)
h1_rps=$(printf '%s\n' "${treaty_h1[@]}" | median)
peer_rps=$(printf '%s\n' "${peer_grpc[@]}" | median)
grpc_rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' /proc/"$gpid"/status)
# One call through a real client checks the answer is a gRPC OK, not a fast error.
check=$($PY - "$gport" <<'PYEOF'
import sys, grpc
channel = grpc.insecure_channel(f"127.0.0.1:{sys.argv[1]}")
call = channel.unary_unary("/inventory.v1.Inventory/GetStock", request_serializer=lambda b: b, response_deserializer=lambda b: b)
answer, state = call.with_call(b"\x0a\x05ABC-1", metadata=[("x-shop-id", "web-shop")], timeout=5)
print(state.code().name, len(answer), "bytes")
PYEOF
)
for p in "$gpid" "$hpid" "$peer_pid"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
{
  echo "### gRPC unary calls ($(date -u +%Y-%m-%d), ${RUNS} runs, medians)"
  echo
  echo "Machine: $machine; $cpu. h2load -c 50 -m 10 -t 2 (h2c prior knowledge) posting one framed StockRequest to"
  echo "inventory.v1.Inventory/GetStock with its metadata (Contracts/web-shop--inventory.json); HTTP/1.1 is wrk -t2 -c50 on the"
  echo "same build's mock serving one static JSON answer. A check call through grpcio answered: $check."
  echo
  echo "| server | protocol | req/s | succeeded (last run) |"
  echo "|---|---|---|---|"
  echo "| treaty mock | gRPC unary (HTTP/2) | $grpc_rps | $treaty_ok of 200000 |"
  echo "| treaty mock | HTTP/1.1 JSON | $h1_rps | |"
  echo "| grpcio 1.x server (Python, 8 threads) | gRPC unary (HTTP/2) | $peer_rps | $peer_ok of 20000 |"
  echo
  echo "gRPC over HTTP/1.1 ratio: $(awk -v g="$grpc_rps" -v h="$h1_rps" 'BEGIN {if (h > 0) printf "%.2f", g / h; else print "n/a"}') (target: at least 0.5)."
} > "$OUT/grpc.md"
cat "$OUT/grpc.md"
