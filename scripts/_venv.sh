# Sourced by scripts/demo, scripts/test and scripts/test-calendar: make .venv with the project installed (only
# Python 3.11+ needed), saying what it does: one line per step, with the step's time.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${LIVECUE_VENV:-$ROOT/.venv}"
PY="${PYTHON:-python3}"
extras="${1:-}"

# lc_say TEXT: one progress line on stderr (stdout stays for what the command itself prints, e.g. the demo's banner).
lc_say() { printf 'livecue: %s\n' "$*" >&2; }

# lc_step LABEL CMD...: run CMD with its output kept aside; "livecue: LABEL ... done (12 s)" on one line, a dot
# every 10 s while it runs; on failure the command's output and its exit status.
lc_step() {
  local label=$1 start=$SECONDS rc=0 log beat
  shift
  log="$(mktemp "${TMPDIR:-/tmp}/livecue-step.XXXXXX")"
  printf 'livecue: %s ...' "$label" >&2
  ( n=0; while sleep 1; do n=$((n + 1)); if [ $((n % 10)) = 0 ]; then printf '.' >&2; fi; done ) &
  beat=$!
  "$@" >"$log" 2>&1 || rc=$?
  kill "$beat" 2>/dev/null || true
  wait "$beat" 2>/dev/null || true
  if [ "$rc" = 0 ]; then
    printf ' done (%d s)\n' "$((SECONDS - start))" >&2
    rm -f "$log"
    return 0
  fi
  printf ' FAILED (exit %d after %d s); its output:\n' "$rc" "$((SECONDS - start))" >&2
  tail -n 80 "$log" >&2
  rm -f "$log"
  return "$rc"
}

if [ ! -x "$VENV/bin/python" ]; then
  if ! command -v "$PY" >/dev/null 2>&1; then
    lc_say "$PY not found: Livecue needs Python 3.11+ (set PYTHON=/path/to/python3.11)"; exit 1
  fi
  if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    lc_say "$("$PY" -V 2>&1) is too old: Livecue needs Python 3.11+ (set PYTHON=/path/to/python3.11)"; exit 1
  fi
  if ! "$PY" -c 'import ensurepip, venv' 2>/dev/null; then
    lc_say "$PY cannot make a virtual environment: on Debian/Ubuntu, apt-get install python3-venv"; exit 1
  fi
  lc_step "creating $VENV ($("$PY" -V 2>&1))" "$PY" -m venv "$VENV"
fi
stamp="$VENV/.livecue-installed${extras:+-$extras}"
if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
  lc_step "upgrading pip in .venv" \
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  # An editable install, so edits to server/ need no reinstall. setuptools prints an "Editable installation ...
  # be careful" box for every editable mode (strict and compat have boxes of their own); it says nothing here
  # (no folder shadows the package), so that one warning is filtered, in this command only.
  lc_step "installing Livecue${extras:+ with its $extras tools} and its dependencies into .venv (first run: a minute or more)" \
    env PYTHONWARNINGS="ignore:Editable installation:UserWarning" \
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT${extras:+[$extras]}"
  touch "$stamp"
else
  lc_say "using $VENV (Livecue${extras:+ and its $extras tools} installed; up to date)"
fi
