#!/usr/bin/env bash
# test.sh: the style check (scripts/lint.sh), then the whole test suite in release (numeric kernels are too
# slow in debug), XCTest only.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/lint.sh
swift test -c release -Xswiftc -enable-testing --disable-swift-testing "$@"
