#!/usr/bin/env sh
# Install PixelProof for the current user from an unpacked bundle (no root, no Python needed):
#   tar xf pixelproof-*.tar.xz && ./pixelproof/install.sh
# Puts the folder in ~/.local/opt/pixelproof, a `pixelproof` command in ~/.local/bin, and a menu entry.
# Uninstall: ./install.sh --uninstall
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=${XDG_DATA_HOME:-$HOME/.local/share}
opt=$HOME/.local/opt/pixelproof
if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$opt" "$HOME/.local/bin/pixelproof" "$prefix/applications/pixelproof.desktop" \
    "$prefix/icons/hicolor/512x512/apps/pixelproof.png"
  echo "PixelProof removed"; exit 0
fi
mkdir -p "$HOME/.local/opt" "$HOME/.local/bin" "$prefix/applications" "$prefix/icons/hicolor/512x512/apps"
if [ "$here" != "$opt" ]; then rm -rf "$opt"; cp -a "$here" "$opt"; fi
ln -sf "$opt/pixelproof" "$HOME/.local/bin/pixelproof"
sed "s|^Exec=pixelproof|Exec=$opt/pixelproof|" "$opt/pixelproof.desktop" > "$prefix/applications/pixelproof.desktop"
cp "$opt/pixelproof.png" "$prefix/icons/hicolor/512x512/apps/pixelproof.png"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$prefix/applications" || true
echo "PixelProof installed: run 'pixelproof demo' or find it in your applications menu"
