#!/usr/bin/env bash
# Builds the one-folder bundle dist/finetune-studio/ for this OS and, with --check, runs its
# self-test offscreen. Usage: packaging/build.sh [--check]   (uses ./.venv when present)
set -euo pipefail
cd "$(dirname "$0")/.."

python="${PYTHON:-python3}"
[ -x .venv/bin/python ] && python=.venv/bin/python

if ! "$python" -c "import PyInstaller" 2>/dev/null; then
    "$python" -m pip install -q -e '.[packaging]'
fi
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/finetune-studio.spec

if [ "${1:-}" = "--check" ]; then
    echo "Running the bundle's self-test…"
    QT_QPA_PLATFORM=offscreen dist/finetune-studio/finetune-studio --self-test
fi
