// cxxhost: a C++ program that dlopens a C++ plugin and catches what it
// throws, for the soload run tests.
//
//   cxxhost PLUGIN
//
// Prints "caught: MESSAGE" and exits 0, or says what went wrong and exits 1.
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
	try {
		f(-1);
	} catch (const std::exception &e) {
		std::printf("caught: %s\n", e.what());
		return dlclose(h) == 0 ? 0 : 1;
	}
	std::printf("no exception\n");
	return 1;
}
