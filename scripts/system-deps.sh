#!/usr/bin/env bash
# Install the Debian packages shopops needs — only those that are missing.
#
#   scripts/system-deps.sh [GROUP...]      (default: run)
#
#   venv   python3-venv                        (creating .venv on a bare Debian)
#   run    gettext (compilemessages); libpango + fonts-wqy-zenhei (weasyprint PDF reports with CJK);
#          nodejs + npm when package.json exists and npm is missing
#   test   run + postgresql, chromium, fonts-wqy-zenhei (CJK glyphs: PDFs, screenshots),
#          poppler-utils (PDF checks), redis-server (the optional flash-sale gate)
#   spark  Java 17+ (openjdk-17-jre-headless) for PySpark
#   ci     test + spark
#
# Each check looks for the tool itself, so a tool installed some other way counts.
# Exit 0 when everything asked for is there afterwards, 1 otherwise.
set -euo pipefail

log() { echo "system-deps: $*" >&2; }

dpkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

java_major() {
    command -v java >/dev/null 2>&1 || { echo 0; return; }
    # openjdk version "17.0.15" 2025-04-15   |   java version "1.8.0_392"
    java -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == 1 ? v[2] : v[1]); exit}'
}

# present PACKAGE -> status 0 when what the package provides is already there
present() {
    case "$1" in
        python3-venv)
            local py
            py=$(command -v python3.11 || command -v python3 || true)
            # Debian ships ensurepip (which venv needs) in python3.11-venv
            [ -n "$py" ] && "$py" -c 'import ensurepip, venv' 2>/dev/null ;;
        gettext) command -v msgfmt >/dev/null 2>&1 ;;
        nodejs) command -v node >/dev/null 2>&1 ;;
        npm) command -v npm >/dev/null 2>&1 ;;
        postgresql)
            # an external server given by URL needs no local one
            [ -n "${SHOPOPS_TEST_POSTGRES_URL:-}" ] && return 0
            command -v pg_ctlcluster >/dev/null 2>&1 && compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null ;;
        chromium) [ -x "${SHOPOPS_CHROMIUM:-/usr/bin/chromium}" ] ;;
        fonts-wqy-zenhei) dpkg_installed fonts-wqy-zenhei || { command -v fc-list >/dev/null 2>&1 && fc-list | grep -qi 'WenQuanYi Zen Hei'; } ;;
        redis-server) command -v redis-server >/dev/null 2>&1 ;;
        poppler-utils) command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 ;;
        openjdk-17-jre-headless) [ "$(java_major)" -ge 17 ] ;;
        *) dpkg_installed "$1" ;;
    esac
}

wanted=()
add_group() {
    case "$1" in
        venv) wanted+=(python3-venv) ;;
        run)
            wanted+=(gettext libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-zenhei)
            if [ -f "$(dirname "$0")/../package.json" ]; then wanted+=(nodejs npm); fi ;;
        test) add_group run; wanted+=(postgresql chromium fonts-wqy-zenhei poppler-utils redis-server) ;;
        spark) wanted+=(openjdk-17-jre-headless) ;;
        ci) add_group test; add_group spark ;;
        *) log "unknown group '$1' (venv, run, test, spark, ci)"; exit 2 ;;
    esac
}
[ $# -gt 0 ] || set -- run
for group in "$@"; do add_group "$group"; done

missing=()
for pkg in "${wanted[@]}"; do
    present "$pkg" || case " ${missing[*]:-} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
log "missing: ${missing[*]}"

if ! command -v apt-get >/dev/null 2>&1; then
    log "no apt-get here: install ${missing[*]} with this system's package manager"
    exit 1
fi
if [ "$(id -u)" = 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    log "not root: run  sudo apt-get install ${missing[*]}"
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
APT=(apt-get -o DPkg::Lock::Timeout=300 -q)
log "apt-get update"
"${SUDO[@]}" "${APT[@]}" update >&2
log "apt-get install -y ${missing[*]}"
"${SUDO[@]}" "${APT[@]}" install -y "${missing[@]}" >&2

still=()
for pkg in "${missing[@]}"; do present "$pkg" || still+=("$pkg"); done
if [ ${#still[@]} -gt 0 ]; then
    log "still missing after install: ${still[*]}"
    exit 1
fi
log "installed: ${missing[*]}"
