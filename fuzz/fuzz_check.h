// FUZZ_CHECK: a property every input must keep, checked in the fuzz targets. A violation prints
// what broke and aborts, which libFuzzer (or the corpus replay test) reports as a crash with the
// input that caused it. Active in every build: a fuzz target is worthless without its checks.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (false)
