#!/usr/bin/env bash
# The main job: installs what is missing, builds and starts the gRPC service
# with the bundled rule sets on 127.0.0.1:50051 (flags after the script name
# go to the server, e.g. tools/run.sh --listen=127.0.0.1:0). It watches rules/
# and reloads edits; SIGTERM or Ctrl-C drains and exits.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
exec bazel run -c opt //service:entente_server -- --rules="$PWD/rules" "$@"
