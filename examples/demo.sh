#!/usr/bin/env bash
# The quickstart: plan and apply the bundled examples against a fresh embedded sandbox,
# then show that a second plan reports no changes. Usage: examples/demo.sh [CAPDECL]
set -euo pipefail
capdecl=${1:-capdecl}
here=$(cd "$(dirname "$0")" && pwd)
workdir=$(mktemp -d "${TMPDIR:-/tmp}/capdecl-demo.XXXXXX")
server="sandbox://$workdir/sandbox"
trap 'rm -rf "$workdir"' EXIT

for example in imu-gestures keyword-spotting; do
  manifests="$here/manifests/$example"
  echo
  echo "==> capdecl plan examples/manifests/$example   (server: embedded sandbox)"
  "$capdecl" plan "$manifests" --server "$server" --no-color
  echo
  echo "==> capdecl apply examples/manifests/$example --yes"
  "$capdecl" apply "$manifests" --server "$server" --yes --no-color
  echo
  echo "==> capdecl plan examples/manifests/$example   (again: nothing left to do)"
  "$capdecl" plan "$manifests" --server "$server" --no-color --detailed-exitcode
done
