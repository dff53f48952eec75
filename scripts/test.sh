#!/usr/bin/env bash
# test.sh: the style check (scripts/lint.sh), then the whole test suite in release (numeric kernels are too
# slow in debug), XCTest only, with a local one-node Slurm cluster up for the tests of `runner submit`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/lint.sh
# The Slurm tests skip, saying so, when no cluster answers; a cluster this script started is stopped at the end.
if ! sinfo -h >/dev/null 2>&1; then
    if bash scripts/slurm-local.sh start; then
        trap 'bash scripts/slurm-local.sh stop || true' EXIT
    else
        echo "WARNING: the local Slurm cluster did not start; the Slurm tests will be SKIPPED" >&2
    fi
fi
# Headless Chromium renders report.html in a test; without it that test says SKIPPED.
if ! command -v chromium >/dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
        || echo "WARNING: chromium could not be installed; the report's browser test will be SKIPPED" >&2
fi
# TensorBoard reads the event files in a test, MLflow takes an export in another; without PyPI they say SKIPPED.
bash scripts/dev-tools.sh tensorboard mlflow || echo "WARNING: tensorboard/mlflow could not be installed; their tests will be SKIPPED" >&2
# A second build for the baseline instruction set (RUNNER_PORTABLE=1): a test checks that it gives the native
# build's bytes; without it that test says SKIPPED.
RUNNER_PORTABLE=1 swift build -c release --build-path .build-portable --product runner \
    || echo "WARNING: the portable build failed; its reproducibility test will be SKIPPED" >&2
swift test -c release -Xswiftc -enable-testing --disable-swift-testing "$@"
