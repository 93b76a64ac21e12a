#include "broker/heap_release.h"

#include <malloc.h>

namespace hookbroker {

bool ReleaseFreeHeap() { return malloc_trim(0) == 1; }

}  // namespace hookbroker
