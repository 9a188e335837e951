#!/bin/sh
# Installs the system libraries the Qt wheels need on Debian/Ubuntu (EGL, OpenGL, fontconfig,
# xkbcommon, the X11/xcb platform plugin's libraries, D-Bus). Safe to run again: it installs only
# what is missing. On other systems (macOS, Windows, non-Debian Linux) it does nothing.
#   Extra packages can be added with QT_EXTRA_PACKAGES="xvfb imagemagick".
set -eu

if [ "$(uname -s)" != "Linux" ] || ! command -v apt-get >/dev/null 2>&1; then
    exit 0
fi

packages="libegl1 libgl1 libopengl0 libfontconfig1 libfreetype6 libxkbcommon0 libxkbcommon-x11-0
libdbus-1-3 libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
libxcb-render-util0 libxcb-randr0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0
libxcb-shm0 libxcb-sync1 libx11-xcb1 libxrender1 libxi6 libsm6 libice6 fonts-dejavu-core
${QT_EXTRA_PACKAGES:-}"

missing=""
for pkg in $packages; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done
[ -z "$missing" ] && exit 0

echo "Installing system libraries for Qt:$missing"
if [ "$(id -u)" -eq 0 ]; then
    run=""
elif command -v sudo >/dev/null 2>&1; then
    run="sudo"
else
    echo "Please run as root (or install sudo) to install:$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$run apt-get update -qq
# shellcheck disable=SC2086
$run apt-get install -y -qq --no-install-recommends $missing >/dev/null
