#!/bin/sh
# Thread-local variables of a library loaded by libsoload against the same
# library loaded by glibc's dlopen, in one process, alternating: through
# __tls_get_addr (libtls, general-dynamic) and through TLS descriptors
# (libtlsdesc, -mtls-dialect=gnu2, whose resolver is loader/tlsdesc.S).
# tls_bump touches one variable, tlsdesc_bump two (two descriptor calls).
set -u
cd "$(dirname "$0")/.."
status=0
for target in build/testlibs/libtls.so:tls_bump build/testlibs/libtlsdesc.so:tlsdesc_bump; do
	lib=${target%%:*}
	fn=${target##*:}
	echo "\$ build/bench/tlsbench 21 1000000 $lib $fn"
	build/bench/tlsbench 21 1000000 "$lib" "$fn" || status=1
done
exit $status
