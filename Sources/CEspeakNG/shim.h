// libespeak-ng's C API (Debian libespeak-ng-dev), used by HotlineMedia's EspeakSynthesizer only.
#ifndef HOTLINE_CESPEAKNG_SHIM_H
#define HOTLINE_CESPEAKNG_SHIM_H
#include <espeak-ng/speak_lib.h>
#include <espeak-ng/espeak_ng.h>
#endif
