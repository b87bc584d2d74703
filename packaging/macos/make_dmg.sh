#!/usr/bin/env bash
# macOS: wrap dist/PixelProof.app (made by `python packaging/build.py` through the spec's BUNDLE step)
# into dist/PixelProof-<version>.dmg with an Applications shortcut. Run from the repository root.
set -euo pipefail
version=${1:-$(python -c "import sys; sys.path.insert(0, 'desktop'); import pixelproof; print(pixelproof.__version__)")}
app=dist/PixelProof.app
[ -d "$app" ] || { echo "missing $app: run python packaging/build.py first" >&2; exit 1; }
stage=$(mktemp -d)
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"
out=dist/PixelProof-$version.dmg
rm -f "$out"
hdiutil create -volname "PixelProof $version" -srcfolder "$stage" -ov -format UDZO "$out"
rm -rf "$stage"
echo "built $out"
