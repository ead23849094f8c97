#!/bin/sh
# Puts what the Containerfile copies into bin/: a static busybox
# (BUSYBOX=PATH to take another than /bin/busybox, which Debian's and
# Ubuntu's busybox-static install). Then: podman build -t wordcount
# examples/batch (or docker build).
set -eu
cd "$(dirname "$0")"
busybox=${BUSYBOX:-/bin/busybox}
if [ ! -x "$busybox" ]; then
	echo "build.sh: $busybox not found: install busybox-static (apt-get install busybox-static) or set BUSYBOX" >&2
	exit 1
fi
if command -v file >/dev/null 2>&1 && ! file -L "$busybox" | grep -Eq 'statically linked|static-pie linked'; then
	echo "build.sh: $busybox is not statically linked, and the image has no libc: install busybox-static" >&2
	exit 1
fi
mkdir -p bin
cp "$busybox" bin/busybox
echo "copied $busybox to $(pwd)/bin/busybox"
