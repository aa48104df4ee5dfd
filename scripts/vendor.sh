#!/usr/bin/env bash
# Refresh static/vendor/ from the npm registry: `make vendor`.
# Each package keeps only its built file(s), its LICENSE and a VERSION file; nothing is
# built at run time and nothing is loaded from a CDN. Pin versions here, commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || { echo "ERROR: make vendor needs npm (Node.js)." >&2; exit 1; }

# package@version  files-to-keep (relative to the package root)
PACKAGES=(
  "htmx.org@2.0.11 dist/htmx.min.js"
  "sortablejs@1.15.7 Sortable.min.js"
  "axe-core@4.14.1 axe.min.js"
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for entry in "${PACKAGES[@]}"; do
  read -r spec files <<<"$entry"
  name=${spec%@*}
  version=${spec##*@}
  (cd "$work" && npm pack --silent "$spec" >/dev/null)
  mkdir -p "$work/$name"
  tar xzf "$work/${name}-${version}.tgz" -C "$work/$name"
  dest=static/vendor/$name
  rm -rf "$dest"
  mkdir -p "$dest"
  for file in $files; do cp "$work/$name/package/$file" "$dest/"; done
  cp "$work/$name/package/LICENSE"* "$dest/"
  echo "$spec from the npm registry (scripts/vendor.sh)" >"$dest/VERSION"
  echo "vendored $spec -> $dest"
done
