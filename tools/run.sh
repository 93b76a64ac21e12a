#!/usr/bin/env bash
# Sets up, builds and starts hookbroker on its embedded defaults: data in ./data, REST on
# 127.0.0.1:8080, ingest on tcp://127.0.0.1:5555. Extra arguments go to the broker, e.g.
#   tools/run.sh --allow-http-callbacks --callback-allow 127.0.0.1/32
# Ctrl-C stops it gracefully.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh >/dev/null
cat <<HINT

hookbroker is starting: REST http://127.0.0.1:8080  ingest tcp://127.0.0.1:5555  data ./data
The API key is in ./data/api-key (created on first start; hookctl reads it). In another terminal:

  # register a first webhook (your endpoint must answer GET ?validationToken=X with X)
  build/tools/hookctl webhook add --object-type Group --object-id my-group --events '*' \\
      --url https://your-endpoint.example/hook

  # publish an event to it, then see what was delivered
  build/tools/hookctl publish --type TextMessageCreated --group my-group --data '{"text":"hello"}'
  build/tools/hookctl deliveries list

Local endpoints (loopback, plain http) are refused by default; allow them with
  tools/run.sh --allow-http-callbacks --callback-allow 127.0.0.1/32

HINT
exec build/broker/hookbroker --data-dir ./data "$@"
