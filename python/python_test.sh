#!/usr/bin/env bash
# Runs a Python unittest file of this package with Debian's /usr/bin/python3
# (which sees Debian's dask and distributed; a python3 earlier on PATH may
# not), the built `entente` module on PYTHONPATH.
set -euo pipefail
runfiles="${TEST_SRCDIR:?run me with bazel test}/entente"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY
export PYTHONPATH="${runfiles}/python"
export ENTENTE_RUNFILES="${runfiles}"
cd "${runfiles}"
exec /usr/bin/python3 -m unittest -v "python/${1:?test file}"
