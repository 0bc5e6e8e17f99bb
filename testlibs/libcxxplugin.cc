// A C++ plugin whose exception its host catches (tests/helpers/cxxhost.cc):
// the unwinder walks from this library's frames into the host's.
#include <stdexcept>

extern "C" int cxxplugin_double(int x)
{
	if (x < 0)
		throw std::runtime_error("negative argument to cxxplugin_double");
	return x * 2;
}
