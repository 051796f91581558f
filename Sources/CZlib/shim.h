#ifndef DEXTER_CZLIB_SHIM_H
#define DEXTER_CZLIB_SHIM_H
#include <zlib.h>
#endif
