// libcxxfmt: formats through std::ostringstream, whose locale facets are
// found by ids that libstdc++ keeps in STB_GNU_UNIQUE objects. Loaded by
// libsoload into a host that has its own libstdc++, each copy must keep
// its own ids.
#include <locale>
#include <sstream>
#include <string>

static std::string last;

extern "C" const char *cxxfmt(long x)
{
	std::ostringstream out;
	out.imbue(std::locale::classic());
	out << "v=" << x << " hex " << std::hex << x;
	last = out.str();
	return last.c_str();
}
