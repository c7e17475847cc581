// CPCRE2: the system PCRE2 library (8-bit code units), as Swift sees it.
//
// Only PCRE2Wrapper imports this module. Everything here is a thin shim for what Swift cannot
// express itself; remove a helper once the importer handles the macro it stands in for.
#ifndef CPCRE2_H
#define CPCRE2_H

// The generic pcre2_* names are macros over the width-suffixed functions; Swift calls the `_8`
// functions directly (`pcre2_compile_8`, ...), so this define only selects the header's width.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

// PCRE2_UNSET is `~(PCRE2_SIZE)0`. A `static const` copy breaks the Swift importer ("integer
// literal overflows"), so it is exposed as a function. Swift sees it as `-1` in an `Int` ovector.
static inline PCRE2_SIZE CPCRE2_unset(void) { return PCRE2_UNSET; }

// PCRE2_ZERO_TERMINATED is the same kind of `~0` macro; patterns are always passed with a
// length, but keep the constant reachable for completeness of the boundary.
static inline PCRE2_SIZE CPCRE2_zeroTerminated(void) { return PCRE2_ZERO_TERMINATED; }

#endif
