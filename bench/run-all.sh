#!/usr/bin/env bash
# Runs every benchmark of the bench profile in turn; results land in bench/results/.
# Each is also runnable alone (see bench/README.md). Expect ~30-40 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
bash bench/install-postfix.sh
./mvnw -q -Pbench test-compile
./mvnw -q -Pbench exec:exec@engine    -Dbench.args="${ENGINE_ARGS:-rounds=3 messages=500}"
./mvnw -q -Pbench exec:exec@pipeline  -Dbench.args="${PIPELINE_ARGS:-rounds=3 jobs=300}"
./mvnw -q -Pbench exec:exec@pipeline  -Dbench.args="${PIPELINE_ARGS:-rounds=3 jobs=300} prototypes=nodelay+session"
./mvnw -q -Pbench exec:exec@coldstart -Dbench.args="${COLDSTART_ARGS:-rounds=5}"
./mvnw -q -Pbench exec:exec@memory    -Dbench.args="${MEMORY_ARGS:-sizes=10m,100m,1g}"
./mvnw -q -Pbench exec:exec@jmh
