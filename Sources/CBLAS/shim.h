// CBLAS shim: OpenBLAS's cblas.h as installed by Debian's libopenblas-dev.
#include <cblas.h>
