// CImageCodecs shim: libjpeg-turbo's TurboJPEG API and libpng, as installed by Debian's
// libturbojpeg0-dev and libpng-dev.
#include <turbojpeg.h>
#include <png.h>
