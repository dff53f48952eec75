// CSystem shim: C library headers that Swift's Glibc module leaves out (malloc tuning).
#include <malloc.h>
