# Sourced by launch.sh and test.sh: pick the Python to install into.
# Inside a virtual environment, or with a Python that allows pip installs (pyenv, conda, CI images), use
# it as it is; a distribution Python that refuses pip installs (PEP 668, e.g. Debian's) gets a .venv here.
PY=python3
if [ -z "${VIRTUAL_ENV:-}" ] && python3 - <<'PYEOF'
import os, sys, sysconfig
sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")) else 1)
PYEOF
then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  PY=.venv/bin/python
fi
