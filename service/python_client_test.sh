#!/usr/bin/env bash
# A second, independent client: Debian's python3-grpcio calls the real server.
# Generates the Python stubs from proto/ with Debian's protoc and
# grpc_python_plugin, then runs python_client_test.py with /usr/bin/python3
# (a python3 earlier on PATH may not see Debian's packages).
set -euo pipefail

runfiles="${TEST_SRCDIR:?run me with bazel test}/entente"
stubs="${TEST_TMPDIR:?}/python_stubs"
mkdir -p "${stubs}"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY grpc_proxy no_proxy NO_PROXY

cd "${runfiles}"
/usr/bin/protoc -I. \
  --python_out="${stubs}" \
  --grpc_python_out="${stubs}" \
  --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin \
  proto/service.proto proto/result.proto proto/rule_set.proto service/testing/health.proto

exec /usr/bin/python3 "${runfiles}/service/python_client_test.py" \
  --server="${runfiles}/service/entente_server" \
  --rules="${runfiles}/rules" \
  --stubs="${stubs}"
