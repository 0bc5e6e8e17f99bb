#!/bin/sh
# Memory of N processes holding libssl.so.3 (and its libcrypto) under glibc's
# dlopen, soload, and soload with RELRO sharing, in one run: `mapscope share
# --loader all` starts N holders per loader, one loader after the other, and
# reads each holder's own /proc/PID/smaps. Memory figures are not timing, so
# the busy machine does not skew them; the order of loaders does not matter
# because each loader's holders are gone before the next start.
#
# Acceptance (issue 4), at N=8: private dirty bytes of the libssl+libcrypto
# mappings under soload-share <= 0.25x dlopen's; text PSS no worse than
# dlopen's. PSS divides each page among all processes mapping it, so other
# programs that map libssl or libcrypto during the run (other users' tests
# on a shared machine) move text PSS by a few percent either way; text RSS,
# printed beside it, does not depend on them.
set -u
cd "$(dirname "$0")/.."
lib=${SHARE_LIB:-libssl.so.3}
status=0

ratio() { # ratio LABEL-WORD1 LABEL-WORD2 FILE: the soload-share column
	awk -v a="$1" -v b="$2" '$1 == a && $2 == b && $3 == "/" { sub("x", "", $NF); print $NF }' "$3"
}

out=$(mktemp)
for n in 8 16; do
	cmd="build/mapscope share -n $n --loader all --format text $lib"
	# Three rounds, each running the loaders one after the other; the table
	# of the first is shown, the verdict of every round.
	for round in 1 2 3; do
		[ "$round" = 1 ] && echo "\$ $cmd"
		if ! $cmd >"$out"; then
			cat "$out"
			status=1
			continue
		fi
		[ "$round" = 1 ] && cat "$out"
		dirty=$(ratio private dirty "$out")
		text=$(ratio text PSS "$out")
		text_rss=$(ratio text RSS "$out")
		verdict=$(awk -v d="$dirty" -v t="$text" \
			'BEGIN { print (d <= 0.25 && t <= 1.0) ? "met" : "NOT met" }')
		echo "N=$n round $round: soload-share/dlopen private dirty ${dirty}x (target <= 0.25x)," \
			"text PSS ${text}x (target <= 1.00x; text RSS ${text_rss}x): $verdict"
	done
	echo
done
rm -f "$out"
exit $status
