#!/usr/bin/env bash
# Install Open WebUI, at the release the deployment pins
# (ansible/roles/open_webui/defaults/main.yml), into a venv of its own for the
# end-to-end test (tests/e2e/test_open_webui.py, `make test-openwebui`).
# Not the project venv: Open WebUI brings ~240 packages (torch, chromadb,
# onnxruntime, transformers ...).
#
#   tools/open_webui_venv.sh            (venv: ${P88_OPEN_WEBUI_VENV:-var/open-webui/venv})
#
# Torch: PyPI's Linux torch pulls several GB of CUDA libraries that a CPU-only
# test never uses. If the package index offers a "+cpu" build (this machine's
# wheel directory does; elsewhere pass
#   P88_OPEN_WEBUI_PIP_ARGS="--extra-index-url https://download.pytorch.org/whl/cpu"
# ), the newest one is pinned for the install; otherwise the default torch is
# installed with a warning.
#
# Idempotent: a venv already holding the pinned version is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${P88_OPEN_WEBUI_VENV:-var/open-webui/venv}
PYTHON=${P88_OPEN_WEBUI_PYTHON:-python3}
read -r -a EXTRA <<<"${P88_OPEN_WEBUI_PIP_ARGS:-}"
ROLE_DEFAULTS=ansible/roles/open_webui/defaults/main.yml

VERSION=$(sed -n 's/^open_webui_version: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$ROLE_DEFAULTS")
if [ -z "$VERSION" ]; then
  echo "open_webui_venv: no open_webui_version in $ROLE_DEFAULTS" >&2
  exit 1
fi

installed() {
  "$VENV/bin/python" - "$VERSION" <<'EOF' 2>/dev/null
import sys
from importlib.metadata import version
sys.exit(0 if version("open-webui") == sys.argv[1] else 1)
EOF
}

if [ -x "$VENV/bin/open-webui" ] && installed; then
  echo "open_webui_venv: open-webui $VERSION already in $VENV"
  exit 0
fi

start=$(date +%s)
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)

constraints="$VENV/p88-constraints.txt"
: >"$constraints"
torch_cpu=$("${PIP[@]}" index versions torch "${EXTRA[@]}" 2>/dev/null \
  | sed -n 's/^Available versions: //p' | tr ',' '\n' | tr -d ' ' | grep '+cpu$' | head -n 1 || true)
if [ -n "$torch_cpu" ]; then
  echo "open_webui_venv: CPU-only torch $torch_cpu"
  echo "torch==$torch_cpu" >"$constraints"
else
  echo "open_webui_venv: WARNING: no +cpu torch on the index; the default one brings CUDA (GBs)" >&2
fi

echo "open_webui_venv: installing open-webui==$VERSION into $VENV"
"${PIP[@]}" install -q --progress-bar off -c "$constraints" "${EXTRA[@]}" "open-webui==$VERSION"
installed
end=$(date +%s)
size=$(du -sh "$VENV" | cut -f1)
echo "open_webui_venv: ready open_webui=$VERSION seconds=$((end - start)) size=$size venv=$VENV"
