# k8scap-locate-capture: locate.sh, then capture.sh, on ONE channel: the first pod of a node is
# captured without a second exec (on a node where each costs ~0.1 s, that is the time to the first
# packet: docs/performance.md). POSIX sh; NodeScript puts the two scripts in where #include says.
#
# Arguments: locate.sh's (one RUNTIME://ID per container).
# stdout: locate.sh's answer (through its "done" line), then capture.sh's pcap stream.
# stdin : nothing for locate.sh (it reads /dev/null); then capture.sh's, parameters first: k8scap
#         reads the answer, chooses what to capture, and sends them; before them, with --metadata,
#         a "context" request (context.sh), answered on stdout through a "done - context" line. Anything but "capture" first,
#         EOF, or 30 s of silence ends it before tcpdump (status 0).
# stderr: capture.sh's; locate.sh's is dropped (its answer carries its errors).
# Exit status: locate.sh's when it failed, else capture.sh's.

(
#include locate
) </dev/null 2>/dev/null
k8scap_st=$?
[ "$k8scap_st" -eq 0 ] || exit "$k8scap_st"

#include context
#include capture
