// The one C entry point into spandsp (Debian libspandsp-dev 0.0.6). HotlineMedia's Swift wrappers
// own the life of every state object created through these declarations.
#ifndef HOTLINE_CSPANDSP_SHIM_H
#define HOTLINE_CSPANDSP_SHIM_H
#include <spandsp.h>
#endif
