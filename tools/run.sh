#!/usr/bin/env bash
# The main job: installs what is missing, builds the CLI and classifies the
# seed article with the bundled rules.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bazel build //cli:entente
article="${1:-../shared/seed/article.txt}"
bazel-bin/cli/entente classify < "$article"
