#!/usr/bin/env bash
# `bazel run //python:dask_batch -- ARGS`: python/dask_batch.py with the
# built `entente` module, run by Debian's /usr/bin/python3. Relative paths
# in ARGS are read from the directory bazel run was started in; --rules
# defaults to the workspace's rules/.
set -euo pipefail
here="${RUNFILES_DIR:-$0.runfiles}/entente"
export PYTHONPATH="${here}/python${PYTHONPATH:+:${PYTHONPATH}}"
if [ -n "${BUILD_WORKSPACE_DIRECTORY:-}" ]; then
  export ENTENTE_RULES="${ENTENTE_RULES:-${BUILD_WORKSPACE_DIRECTORY}/rules}"
  cd "${BUILD_WORKING_DIRECTORY:-${BUILD_WORKSPACE_DIRECTORY}}"
else
  export ENTENTE_RULES="${ENTENTE_RULES:-${here}/rules}"
fi
exec /usr/bin/python3 "${here}/python/dask_batch.py" "$@"
