// ReleaseFreeHeap: gives the heap's free pages back to the kernel, so that memory freed after a
// burst (an ingest backlog in ZeroMQ's receive queue, deliveries piled up behind a slow or failing
// endpoint) does not stay resident (docs/PERFORMANCE.md, Memory).
//
// Why it is needed: glibc's free() returns memory to the kernel only from the top of an arena,
// and the broker's ~50 threads spread their allocations over up to 8 arenas per core. A burst
// freed below a block still in use stays in the process: under a steady soak the broker's
// RssAnon grew in steps while its live heap (heaptrack) stayed flat.
//
// Thread-safety: any thread; it takes each arena's lock in turn, briefly.
#pragma once

namespace hookbroker {

// malloc_trim(0): returns true when some memory was given back.
bool ReleaseFreeHeap();

}  // namespace hookbroker
