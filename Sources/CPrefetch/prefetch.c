/* The header holds the one inline function; SwiftPM needs a source file in every C target. */
#include "prefetch.h"
