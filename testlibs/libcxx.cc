// C++ through libsoload: static constructors that leave a visible trace,
// an exception thrown and caught inside the library, virtual calls, and
// libstdc++'s own TLS (std::call_once) and IFUNC-heavy string code.
#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

namespace {

std::string trace;

struct Tracer {
	explicit Tracer(const char *step)
	{
		trace += step;
	}
};

Tracer first("ctor1;");
Tracer second("ctor2;");

struct Shape {
	virtual ~Shape() = default;
	virtual long area() const = 0;
};

struct Rect : Shape {
	Rect(long w, long h) : w_(w), h_(h)
	{
	}
	long area() const override
	{
		return w_ * h_;
	}
	long w_, h_;
};

struct Square : Rect {
	explicit Square(long s) : Rect(s, s)
	{
	}
};

long check_positive(long x)
{
	if (x < 0)
		throw std::invalid_argument("negative: " + std::to_string(x));
	return x;
}

// A thread_local object with a destructor: TLS through __tls_get_addr
// and glibc's __cxa_thread_atexit_impl at thread exit.
std::atomic<int> per_thread_made{0}, per_thread_gone{0};

struct PerThread {
	PerThread()
	{
		per_thread_made++;
	}
	~PerThread()
	{
		per_thread_gone++;
	}
	int uses = 0;
};

thread_local PerThread per_thread;

} // namespace

extern "C" {

const char *cxx_trace(void)
{
	return trace.c_str();
}

// x itself if x >= 0; else the length of the caught exception's message,
// negated: the throw and the catch both happen in this library.
long cxx_checked(long x)
{
	try {
		return check_positive(x);
	} catch (const std::invalid_argument &e) {
		return -(long)std::strlen(e.what());
	}
}

long cxx_area(long w, long h)
{
	std::unique_ptr<Shape> s;

	if (w == h)
		s.reset(new Square(w));
	else
		s.reset(new Rect(w, h));
	return s->area();
}

// std::call_once keeps its callable in libstdc++'s thread-local storage.
int cxx_once(void)
{
	static std::once_flag flag;
	static int runs;

	std::call_once(flag, [] { runs++; });
	std::call_once(flag, [] { runs++; });
	return runs;
}

// This thread's count of calls.
int cxx_thread_uses(void)
{
	return ++per_thread.uses;
}

// Per-thread objects destroyed so far; *made gets how many were made.
int cxx_thread_counts(int *made)
{
	*made = per_thread_made;
	return per_thread_gone;
}
}
