// Waking the workers of a stopping cpp-httplib server. cpp-httplib 0.11 gives no handle on
// accepted sockets, and Server::stop() only closes the listener: a worker idling in a keep-alive
// wait keeps its connection (and delays the server's shutdown) for up to the keep-alive timeout.
// This shuts down, from the outside, every connection this process accepted on a port.
//
// Thread-safety: safe to call from any thread; meant for Stop() after Server::stop().
#pragma once

namespace hookbroker::subscribers {

// shutdown(fd, how) on every non-listening TCP socket of this process whose local port is
// `port`. SHUT_RD wakes idle keep-alive waits with EOF while a request being handled can still
// send its answer; SHUT_RDWR also cuts the answers short.
void ShutDownAcceptedConnections(int port, int how);

}  // namespace hookbroker::subscribers
