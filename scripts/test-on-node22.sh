#!/usr/bin/env bash
# Runs part of the test suite on Node.js 22, on a machine that has only Node 20 and npm.
#
# package.json promises Node >= 20, and the machine that runs CI has Node 20 alone. This script takes an official
# Node 22 build from the npm registry (the `node-<platform>-<arch>` package, which also ships the headers that
# node-gyp needs, so nothing else is downloaded), installs the dependencies afresh with it in a directory of its own
# — better-sqlite3 compiled from source for Node 22's ABI — and runs the already compiled tests there. The
# repository's own node_modules is never touched: it stays built for the Node that runs `npm test`.
#
# Run it after `npm test` (or `npm run build`): it tests `dist/` as it is. It exits non-zero when anything fails.
# POSTBOX_NODE22_VERSION picks another Node 22 release (default below; pinned so that CI runs are repeatable).
#
# Compiling better-sqlite3 is most of the setup time, so the compiled addon is kept in a cache directory
# (POSTBOX_NODE22_CACHE, default ~/.cache/postbox-node22), under a name made of everything it depends on: the Node
# release, the platform and better-sqlite3's exact tarball (its integrity hash in package-lock.json). A new
# release of either is built afresh; POSTBOX_NODE22_CACHE=off always builds.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
version="${POSTBOX_NODE22_VERSION:-22.23.3}"
started=$SECONDS
say() { printf '\n== node22 [%3d s]: %s\n' "$((SECONDS - started))" "$*"; }
die() { printf 'node22: %s\n' "$*" >&2; exit 1; }

# The test groups run on Node 22, as path filters for scripts/run-tests.mjs. conformance/json also gets the runner's
# second pass against the PostgreSQL engine, so the pg driver runs on Node 22 as well; store/sqlite is the SQLite
# engine's own suites (the message log, migrations) on the native module built for Node 22.
# POSTBOX_NODE22_TESTS replaces the list (space-separated), e.g. to rerun one group.
read -r -a groups <<<"${POSTBOX_NODE22_TESTS:-unit/ pattern/ conformance/json/ store/sqlite crash/ cli/}"
[ "${#groups[@]}" -gt 0 ] || die "POSTBOX_NODE22_TESTS names no test group"

[ -d "$repo/dist/test" ] || die "no dist/test: build first (npm run build, or npm test)"
command -v npm >/dev/null || die "npm is not on PATH"

# npm's CLI is plain JavaScript: run it with Node 22 so that install scripts (node-gyp) run on Node 22 too.
npm_cli="$(readlink -f "$(command -v npm)")"
case "$npm_cli" in
  *npm-cli.js) ;;
  *) npm_cli="$(npm prefix -g)/lib/node_modules/npm/bin/npm-cli.js" ;;
esac
[ -f "$npm_cli" ] || die "cannot find npm-cli.js (tried $npm_cli)"

work="$(mktemp -d "${TMPDIR:-/tmp}/postbox-node22.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# 1. Node 22 itself. `npm pack` checks the tarball against the registry's integrity hash and keeps it in npm's
#    cache, so a second run does not download it again.
platform="$(node -p 'process.platform + "-" + process.arch')"
say "fetching node-$platform@$version from the npm registry"
(cd "$work" && npm pack "node-$platform@$version" --silent >/dev/null)
mkdir "$work/node"
tar -xzf "$work"/node-"$platform"-*.tgz -C "$work/node" --strip-components=1
node22="$work/node/bin/node"
[ "$("$node22" --version)" = "v$version" ] || die "the package's node is $("$node22" --version), not v$version"
[ -f "$work/node/include/node/common.gypi" ] || die "node-$platform@$version has no include/node headers for node-gyp"
export PATH="$work/node/bin:$PATH" # anything that runs `node` from here on gets Node 22

# 2. A copy of the compiled project, and its dependencies installed by Node 22. Install scripts are skipped at first:
#    the root's `prepare` would compile the TypeScript, which `dist/` already holds; the one dependency with an
#    install script, better-sqlite3, is built next, on its own, so that its log can be shown if it fails.
app="$work/app"
mkdir "$app"
cp -R "$repo/package.json" "$repo/package-lock.json" "$repo/dist" "$repo/test" "$repo/scripts" "$app/"
say "npm ci with Node $version"
(cd "$app" && "$node22" "$npm_cli" ci --ignore-scripts --prefer-offline --no-audit --no-fund)

# better-sqlite3's install script tries a prebuilt binary first (a download); build_from_source skips that, and
# nodedir points node-gyp at the package's headers instead of downloading them.
addon="node_modules/better-sqlite3/build/Release/better_sqlite3.node"
cache="${POSTBOX_NODE22_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/postbox-node22}"
key="$(cd "$app" && "$node22" -p '
  const { version, integrity } = require("./package-lock.json").packages["node_modules/better-sqlite3"];
  const digest = require("node:crypto").createHash("sha256").update(integrity).digest("hex").slice(0, 16);
  `better-sqlite3-${version}-${digest}`')-node-$version-$platform.node"
if [ "$cache" != off ] && [ -f "$cache/$key" ]; then
  say "better-sqlite3 for Node $version: compiled before, from $cache/$key"
  mkdir -p "$(dirname "$app/$addon")"
  cp "$cache/$key" "$app/$addon"
else
  say "building better-sqlite3 from source for Node $version (about a minute)"
  if ! (cd "$app" && JOBS=max npm_config_nodedir="$work/node" npm_config_build_from_source=true \
    "$node22" "$npm_cli" rebuild better-sqlite3 --foreground-scripts >"$work/better-sqlite3.log" 2>&1); then
    tail -n 60 "$work/better-sqlite3.log" >&2
    die "better-sqlite3 did not build for Node $version"
  fi
  if [ "$cache" != off ]; then
    # Written under a temporary name and renamed, so that a run cut short never leaves half a file under the key.
    mkdir -p "$cache" && cp "$app/$addon" "$cache/$key.$$" && mv "$cache/$key.$$" "$cache/$key"
  fi
fi
(cd "$app" && "$node22" -e '
  const Database = require("better-sqlite3");
  const where = require.resolve("better-sqlite3");
  if (!where.startsWith(process.cwd() + "/")) throw new Error(`better-sqlite3 resolved outside the Node 22 install: ${where}`);
  const db = new Database(":memory:");
  const { v } = db.prepare("select sqlite_version() as v").get();
  db.close();
  console.log(`Node ${process.version} (modules ABI ${process.versions.modules}) loads better-sqlite3 with SQLite ${v}`);
')
say "ready"

# 3. The tests. Every group runs even when one fails, so one run shows everything that breaks on Node 22.
results=()
failed=0
for group in "${groups[@]}"; do
  say "tests in dist/test/$group on Node $version"
  t=$SECONDS
  if (cd "$app" && "$node22" scripts/run-tests.mjs "/dist/test/$group"); then
    results+=("ok      dist/test/$group ($((SECONDS - t)) s)")
  else
    results+=("FAILED  dist/test/$group ($((SECONDS - t)) s)")
    failed=1
  fi
done

say "summary, Node $version"
printf '  %s\n' "${results[@]}"
exit "$failed"
