/* What libuniq_a and libuniq_b both define: g++ emits an inline function's
 * static local and a template's static member as STB_GNU_UNIQUE, one object
 * per process however many libraries carry a copy. */
#ifndef UNIQ_H
#define UNIQ_H

inline int *uniq_counter()
{
	static int n;
	return &n;
}

template <typename T> struct uniq_box {
	static T value;
};
template <typename T> T uniq_box<T>::value = 100;

#endif
