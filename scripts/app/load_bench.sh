#!/usr/bin/env bash
# Load bench of helmpilot-app (not part of the default test run): starts the release
# binary on loopback with a fresh SQLite store (or DATABASE_URL if given), and a second
# process (app/examples/load_client.rs) sends signed deployment_protection_rule
# deliveries, each a new gate, for a bounded time; prints deliveries/s and p50/p99.
#
#   scripts/app/load_bench.sh [SECONDS=10] [CONNECTIONS=8]
#
# The App runs without App credentials, so gates are recorded and not answered: the
# bench measures the webhook path (verify, dedupe, record, acknowledge).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
seconds="${1:-10}"
connections="${2:-8}"
target="${CARGO_TARGET_DIR:-$root/target}"

cd "$root"
cargo build --release -q -p helmpilot-app --bin helmpilot-app --example load_client
bash scripts/github/setup.sh

work="$(mktemp -d "${TMPDIR:-/tmp}/helmpilot-bench.XXXXXX")"
app_pid=""
cleanup() {
    if [ -n "$app_pid" ]; then kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# A deployment_protection_rule payload built from a real deployment_status example
# (repository, installation, sender, deployment), `__RUN__` replaced per delivery.
node -e '
const idx = require(process.argv[1]);
const ex = idx.find(e => e.name === "deployment_status").examples.find(p => p.installation);
const p = {
  action: "requested", environment: "production", event: "push",
  sha: ex.deployment.sha, ref: "refs/heads/main",
  deployment_callback_url: "http://127.0.0.1:9/repos/" + ex.repository.full_name + "/actions/runs/__RUN__/deployment_protection_rule",
  deployment: ex.deployment, pull_requests: [], repository: ex.repository,
  installation: ex.installation, sender: ex.sender,
};
process.stdout.write(JSON.stringify(p));
' "$root/target/npm/node_modules/@octokit/webhooks-examples/api.github.com/index.json" >"$work/payload.json"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
secret="bench-secret"
HELMPILOT_WEBHOOK_SECRET="$secret" \
HELMPILOT_LISTEN="127.0.0.1:$port" \
DATABASE_URL="${DATABASE_URL:-sqlite://$work/bench.db}" \
RUST_LOG=warn \
    "$target/release/helmpilot-app" 2>"$work/app.log" &
app_pid=$!
for _ in $(seq 100); do
    if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
    sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$work/app.log" >&2; exit 1; }

echo "payload: $(wc -c <"$work/payload.json") bytes; store: ${DATABASE_URL:-sqlite (temp file)}; $(nproc) cores"
"$target/release/examples/load_client" "http://127.0.0.1:$port/webhook" "$secret" \
    "$work/payload.json" "$seconds" "$connections"
curl -fsS "http://127.0.0.1:$port/metrics" | grep -E '^helmpilot_(webhook_deliveries_total|gates)' || true
