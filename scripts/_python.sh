# Sourced by launch.sh and test.sh: pick the Python to install into.
# Inside a virtual environment, or with a Python that allows pip installs (pyenv, conda, CI images), use
# it as it is; a distribution Python that refuses pip installs (PEP 668, e.g. Debian's) gets a .venv here.
PY=python3
if [ -z "${VIRTUAL_ENV:-}" ] && python3 - <<'PYEOF'
import os, sys, sysconfig
sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")) else 1)
PYEOF
then
  if [ ! -x .venv/bin/python ]; then
    # Debian splits venv's ensurepip into python3-venv: install it when we may (root), else say what to run
    if ! python3 -c "import ensurepip" >/dev/null 2>&1; then
      if [ "$(id -u)" = 0 ]; then
        (apt-get update -qq && apt-get install -y -qq python3-venv) >/dev/null 2>&1 || true
      fi
      python3 -c "import ensurepip" >/dev/null 2>&1 \
        || { echo "python3 cannot make a virtual environment: run 'sudo apt-get install -y python3-venv'" >&2; exit 1; }
    fi
    python3 -m venv .venv
  fi
  PY=.venv/bin/python
fi
