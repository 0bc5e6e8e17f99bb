#!/bin/sh
# Thread-local variables of a library loaded by libsoload against the same
# library loaded by glibc's dlopen, in one process, alternating: through
# __tls_get_addr (libtls, general-dynamic), through TLS descriptors to a
# block too big for either loader's static TLS (libtlsdesc,
# -mtls-dialect=gnu2: loader/tlsdesc.S's dynamic resolver against glibc's
# _dl_tlsdesc_dynamic), and through descriptors to a small block that both
# put in static TLS (libtlsstatic: tlsdesc_static against glibc's
# _dl_tlsdesc_return). tls_bump touches one variable, tlsdesc_bump two (two
# descriptor calls), st_bump one. 101 rounds (TLS_ROUNDS): with 21, the
# median of a 5 ns call moved by 10% from one run to the next.
set -u
cd "$(dirname "$0")/.."
rounds=${TLS_ROUNDS:-101}
status=0
for target in build/testlibs/libtls.so:tls_bump build/testlibs/libtlsdesc.so:tlsdesc_bump \
	build/testlibs/libtlsstatic.so:st_bump; do
	lib=${target%%:*}
	fn=${target##*:}
	echo "\$ build/bench/tlsbench $rounds 1000000 $lib $fn"
	build/bench/tlsbench "$rounds" 1000000 "$lib" "$fn" || status=1
done
exit $status
