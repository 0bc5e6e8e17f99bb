// cxxhost: a C++ program that dlopens a C++ plugin and catches what it
// throws, for the soload run tests.
//
//   cxxhost PLUGIN
//
// Prints "caught: MESSAGE" and exits 0, or says what went wrong and exits 1.
// First _dl_find_object, which its libgcc_s asks for each frame it
// unwinds, must place the plugin's code in a mapping with a frame table
// (glibc's answer plain, libsoload's under soload run).
#include <cstdio>
#include <dlfcn.h>
#include <stdexcept>

int main(int argc, char **argv)
{
	void *h = argc > 1 ? dlopen(argv[1], RTLD_NOW) : nullptr;
	if (!h) {
		std::printf("dlopen: %s\n", argc > 1 ? dlerror() : "no plugin given");
		return 1;
	}
	auto f = reinterpret_cast<int (*)(int)>(dlsym(h, "cxxplugin_double"));
	if (!f || f(21) != 42) {
		std::printf("cxxplugin_double missing or wrong\n");
		return 1;
	}
	struct dl_find_object where;
	auto code = reinterpret_cast<char *>(f);
	if (_dl_find_object(code, &where) != 0 || !where.dlfo_eh_frame ||
	    code < static_cast<char *>(where.dlfo_map_start) ||
	    code >= static_cast<char *>(where.dlfo_map_end)) {
		std::printf("_dl_find_object does not place cxxplugin_double\n");
		return 1;
	}
	try {
		f(-1);
	} catch (const std::exception &e) {
		std::printf("caught: %s\n", e.what());
		return dlclose(h) == 0 ? 0 : 1;
	}
	std::printf("no exception\n");
	return 1;
}
