#!/bin/sh
# Redraws the README's pictures (docs/img/*.svg) from real runs, checks each
# is well-formed XML (xmllint) and screenshots it with headless Chromium
# into build/img/*.png, to look at. Installs libxml2-utils and chromium with
# apt-get when missing and run as root. Not part of make test.
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	[ "$(id -u)" -eq 0 ] || { echo "pictures: $1 is missing: apt-get install -y $2" >&2; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
need xmllint libxml2-utils
need chromium chromium
mkdir -p "$B/img" docs/img

# A 256 MiB file read in patches, with 6 MiB rewritten (dirty), beside libc.
data=$(mktemp -d /tmp/mapscope-example-XXXXXX)
trap 'rm -rf "$data"' EXIT
dd if=/dev/urandom of="$data/data.bin" bs=1M count=256 conv=fsync status=none
"$B/mapscope" file --evict "$data/data.bin" >/dev/null
for off in 0 40 90 150 200; do
	dd if="$data/data.bin" of=/dev/null bs=1M skip=$off count=12 status=none
done
dd if=/dev/zero of="$data/data.bin" bs=1M seek=120 count=6 conv=notrunc status=none
"$B/mapscope" file --svg docs/img/file.svg "$data/data.bin" \
	/usr/lib/x86_64-linux-gnu/libc.so.6 >/dev/null

# A whole process: a sleep.
sleep 30 &
pid=$!
sleep 0.3
"$B/mapscope" maps --svg docs/img/maps.svg "$pid" >/dev/null
kill "$pid"

for svg in docs/img/*.svg; do
	xmllint --noout "$svg"
	png="$B/img/$(basename "$svg" .svg).png"
	chromium --headless --no-sandbox --disable-gpu --window-size=1060,1000 \
		--screenshot="$PWD/$png" "file://$PWD/$svg" >/dev/null 2>&1
	echo "$svg: well-formed; screenshot $png"
done
