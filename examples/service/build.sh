#!/bin/sh
# Builds what the Containerfile copies: bin/items, the service and its client
# as one static Go binary. Then: podman build -t items examples/service
# (or docker build). Needs Go; GOARCH picks the image's architecture.
set -eu
cd "$(dirname "$0")"
mkdir -p bin
CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags='-s -w' -o bin/items .
echo "built $(pwd)/bin/items"
