#!/usr/bin/env bash
# dev-tools.sh: the Python tools some tests compare Runner with, in a virtual environment at .venv (ignored by git).
#
#   bash scripts/dev-tools.sh                 tensorboard and mlflow
#   bash scripts/dev-tools.sh tensorboard     just those named (tensorboard, mlflow, torch, torchvision)
#
# Not needed to build or run Runner: the tests that need a tool say SKIPPED when it is missing.
# torch is not in the default set (its wheel is large); the parity tests use it when present.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=("$@")
if [ ${#tools[@]} -eq 0 ]; then tools=(tensorboard mlflow); fi
if [ ! -x .venv/bin/python3 ]; then
    if ! python3 -m venv .venv 2>/dev/null; then
        sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
        $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
        python3 -m venv .venv
    fi
fi
missing=()
for tool in "${tools[@]}"; do
    .venv/bin/python3 -c "import $tool" 2>/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "dev-tools: installing ${missing[*]} into .venv"
    .venv/bin/python3 -m pip install -q --disable-pip-version-check "${missing[@]}"
fi
echo "dev-tools: .venv has ${tools[*]}"
