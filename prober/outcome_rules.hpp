#pragma once
// The rules that turn how a probe's socket or TLS stream stopped into a
// client-side outcome (README.md, "Outcomes").
#include <boost/system/error_code.hpp>

#include "prober/tls_stream.hpp"
#include "prober/probe_record.hpp"

namespace tlsprobe::prober {

// connect(2) failed: refused, a problem of this host (the tuple is busy,
// out of descriptors), or anything else on the path.
[[nodiscard]] Outcome connect_outcome(const boost::system::error_code& ec);

// The TLS handshake did not finish. `certificate_rejected`: our verification
// of the server's chain failed, which OpenSSL reports as a local error.
[[nodiscard]] Outcome handshake_outcome(const StreamResult& result, bool alert_received,
                                                 bool certificate_rejected);

// The request or response failed after the handshake.
[[nodiscard]] Outcome midstream_outcome(const StreamResult& result);

}  // namespace tlsprobe::prober
