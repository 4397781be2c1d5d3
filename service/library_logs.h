// File: service/library_logs.h
//
// The protobuf and gRPC libraries write their own log lines straight to
// stderr (protobuf, for instance, one line per request whose string field
// holds invalid UTF-8), whatever the server's --log_level. RouteLibraryLogs
// sends them through the server's Logger instead, as logfmt lines under its
// threshold:
//   protobuf INFO -> INFO, WARNING and ERROR -> WARNING (they are about a
//   client's bytes, and the call's access line says what it got),
//   FATAL -> ERROR; gRPC DEBUG -> DEBUG, INFO -> INFO, ERROR -> ERROR.
//
//   entente::RouteLibraryLogs(&logger);
//   // 2026-11-28T05:00:00.123Z WARNING protobuf message="String field ..." source=...
//   entente::RouteLibraryLogs(nullptr);  // the libraries' own output again

#ifndef ENTENTE_SERVICE_LIBRARY_LOGS_H_
#define ENTENTE_SERVICE_LIBRARY_LOGS_H_

#include "service/logger.h"

namespace entente {

// Routes the libraries' log lines to `logger`, which must outlive the
// routing; null restores their default output. Process-wide; call from one
// thread (at start and at shutdown).
void RouteLibraryLogs(Logger* logger);

}  // namespace entente

#endif  // ENTENTE_SERVICE_LIBRARY_LOGS_H_
